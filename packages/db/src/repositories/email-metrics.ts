// GET /emails/metrics: the counts of the tenant's emails accepted in a range and of their events, in
// one statement. Each email counts in the slice it was accepted in (a cohort: an open a week later
// still counts for the day the email went out), its events are summed per email first (so an email's
// own columns are never multiplied by its events), then grouped by the dimensions asked for.
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../client';

export interface EmailMetricsFilter {
  /** ISO instants, [from, to). */
  from: string;
  to: string;
  domainIds?: string[];
  emailIds?: string[];
  broadcastIds?: string[];
  /** Only broadcast recipients' emails (the broadcast dimension). */
  broadcastsOnly?: boolean;
}

export interface EmailMetricsGrouping {
  /**
   * Group by the UTC day, hour or quarter hour an email was accepted in (`YYYY-MM-DDTHH:MM`, folded
   * into periods of a time zone by the caller); null: not by time.
   */
  slice: 'day' | 'hour' | 'quarter' | null;
  domain: boolean;
  email: boolean;
  broadcast: boolean;
}

export interface EmailMetricsGroupRow {
  slice: string | null;
  domain_id: string | null;
  domain_name: string | null;
  email_id: string | null;
  broadcast_id: string | null;
  broadcast_name: string | null;
  received: number;
  suppressed: number;
  sent: number;
  delivered: number;
  bounced: number;
  bounced_transient: number;
  bounced_permanent: number;
  bounced_undetermined: number;
  complained: number;
  opened: number;
  clicked: number;
  unique_opened: number;
  unique_clicked: number;
  unsubscribed: number;
  delivery_delayed: number;
  failed: number;
}

/**
 * The groups' counts; at most `limit` rows (the caller asks for one more than it allows, to tell a
 * result that was cut). Opens and clicks by machines (scanners, image proxies) are left out.
 */
export async function emailMetricsGroups(
  db: Db,
  tenantId: string,
  filter: EmailMetricsFilter,
  grouping: EmailMetricsGrouping,
  limit: number,
): Promise<EmailMetricsGroupRow[]> {
  // The id filters appear once (D1 binds at most 100 parameters); the events are read for the range.
  const clauses: RawBuilder<unknown>[] = [
    sql`e.tenant_id = ${tenantId}`,
    sql`e.created_at >= ${filter.from}`,
    sql`e.created_at < ${filter.to}`,
  ];
  const within = (column: string, ids: string[] | undefined) => {
    if (ids?.length) clauses.push(sql`${sql.ref(`e.${column}`)} IN (${sql.join(ids)})`);
  };
  within('domain_id', filter.domainIds);
  within('id', filter.emailIds);
  within('broadcast_id', filter.broadcastIds);
  if (filter.broadcastsOnly) clauses.push(sql`e.broadcast_id IS NOT NULL`);
  const slice = {
    day: sql`strftime('%Y-%m-%dT00:00', e.created_at)`,
    hour: sql`strftime('%Y-%m-%dT%H:00', e.created_at)`,
    quarter: sql`strftime('%Y-%m-%dT%H:', e.created_at) || printf('%02d', (CAST(strftime('%M', e.created_at) AS INTEGER) / 15) * 15)`,
  }[grouping.slice ?? 'day'];
  const keys: [string, RawBuilder<unknown>, RawBuilder<unknown> | null][] = [
    ['slice', grouping.slice ? slice : sql`NULL`, grouping.slice ? slice : null],
    ['domain_id', grouping.domain ? sql`e.domain_id` : sql`NULL`, grouping.domain ? sql`e.domain_id` : null],
    ['domain_name', grouping.domain ? sql`MAX(d.name)` : sql`NULL`, null],
    ['email_id', grouping.email ? sql`e.id` : sql`NULL`, grouping.email ? sql`e.id` : null],
    [
      'broadcast_id',
      grouping.broadcast ? sql`e.broadcast_id` : sql`NULL`,
      grouping.broadcast ? sql`e.broadcast_id` : null,
    ],
    ['broadcast_name', grouping.broadcast ? sql`MAX(b.name)` : sql`NULL`, null],
  ];
  const groupBy = keys.flatMap(([, , expression]) => (expression ? [expression] : []));
  const eventCount = (name: string) => sql.raw(`COALESCE(SUM(x.${name}), 0) AS ${name}`);
  const counted = [
    'sent',
    'delivered',
    'bounced',
    'bounced_transient',
    'bounced_permanent',
    'bounced_undetermined',
    'complained',
    'opened',
    'clicked',
    'unique_opened',
    'unique_clicked',
    'unsubscribed',
    'delivery_delayed',
    'failed',
  ];
  const bounce = (type: string) =>
    sql.raw(
      `SUM(type = 'email.bounced' AND COALESCE(json_extract(data, '$.bounce_type'), 'Undetermined') = '${type}')`,
    );
  const result = await sql<EmailMetricsGroupRow>`
    SELECT ${sql.join(keys.map(([name, expression]) => sql`${expression} AS ${sql.ref(name)}`))},
      COUNT(*) AS received,
      COALESCE(SUM(json_array_length(e.suppressed)), 0) AS suppressed,
      ${sql.join(counted.map(eventCount))}
    FROM emails e
    LEFT JOIN (
      SELECT email_id,
        SUM(type = 'email.sent') AS sent,
        SUM(type = 'email.delivered') AS delivered,
        SUM(type = 'email.bounced') AS bounced,
        ${bounce('Transient')} AS bounced_transient,
        ${bounce('Permanent')} AS bounced_permanent,
        SUM(type = 'email.bounced') - ${bounce('Transient')} - ${bounce('Permanent')} AS bounced_undetermined,
        SUM(type = 'email.complained') AS complained,
        SUM(type = 'email.opened' AND machine = 0) AS opened,
        SUM(type = 'email.clicked' AND machine = 0) AS clicked,
        COUNT(DISTINCT CASE WHEN type = 'email.opened' AND machine = 0 THEN COALESCE(recipient, '') END) AS unique_opened,
        COUNT(DISTINCT CASE WHEN type = 'email.clicked' AND machine = 0 THEN COALESCE(recipient, '') END) AS unique_clicked,
        SUM(type = 'email.unsubscribed') AS unsubscribed,
        SUM(type = 'email.delivery_delayed') AS delivery_delayed,
        SUM(type = 'email.failed') AS failed
      FROM events
      WHERE tenant_id = ${tenantId}
        AND email_id IN (
          SELECT id FROM emails
          WHERE tenant_id = ${tenantId} AND created_at >= ${filter.from} AND created_at < ${filter.to}
        )
      GROUP BY email_id
    ) x ON x.email_id = e.id
    ${grouping.domain ? sql`LEFT JOIN domains d ON d.tenant_id = ${tenantId} AND d.id = e.domain_id` : sql``}
    ${grouping.broadcast ? sql`LEFT JOIN broadcasts b ON b.tenant_id = ${tenantId} AND b.id = e.broadcast_id` : sql``}
    WHERE ${sql.join(clauses, sql` AND `)}
    ${groupBy.length ? sql`GROUP BY ${sql.join(groupBy)}` : sql``}
    ${groupBy.length ? sql`ORDER BY ${sql.join(groupBy)}` : sql``}
    LIMIT ${limit}
  `.execute(db);
  return result.rows;
}
