// What the send consumer needs to know about one email's domain and stream when it sends it: the
// stream's SES configuration set, and the tracking and List-Unsubscribe switches of both (the stream
// stored or default). One query per email sent.
import type { Db } from '../client';
import { defaultStream, isDefaultStream } from './streams';

export interface SendSettings {
  /** Domain switches: NULL = not set. */
  domain: {
    open_tracking: number | null;
    click_tracking: number | null;
    tracking_hostname: string | null;
    /** SES's TLS policy for its mail (0022): `enforced` sends with the domain's own configuration set. */
    tls: 'opportunistic' | 'enforced';
  };
  /** Stream switches: NULL = not set; a stream with no stored row has its defaults. */
  stream: {
    configuration_set: string | null;
    track_opens: number | null;
    track_clicks: number | null;
    list_unsubscribe: number;
  };
}

/** Undefined when the tenant has no such domain. */
export async function getSendSettings(
  db: Db,
  tenantId: string,
  domainId: string,
  streamId: string,
): Promise<SendSettings | undefined> {
  const row = await db
    .selectFrom('domains as d')
    .leftJoin('streams as s', (join) =>
      join.onRef('s.tenant_id', '=', 'd.tenant_id').on('s.id', '=', streamId),
    )
    .select([
      'd.open_tracking',
      'd.click_tracking',
      'd.tracking_hostname',
      'd.tls',
      's.id as stream_id',
      's.configuration_set',
      's.track_opens',
      's.track_clicks',
      's.list_unsubscribe',
    ])
    .where('d.tenant_id', '=', tenantId)
    .where('d.id', '=', domainId)
    .executeTakeFirst();
  return row ? sendSettingsOf(tenantId, streamId, row) : undefined;
}

/** The columns getSendSettings reads, as SendSettings (the send consumer reads them for a whole batch). */
export interface SendSettingsRow {
  open_tracking: number | null;
  click_tracking: number | null;
  tracking_hostname: string | null;
  tls: 'opportunistic' | 'enforced';
  /** NULL: the stream has no stored row. */
  stream_id: string | null;
  configuration_set: string | null;
  track_opens: number | null;
  track_clicks: number | null;
  list_unsubscribe: number | null;
}

export function sendSettingsOf(tenantId: string, streamId: string, row: SendSettingsRow): SendSettings {
  const domain = {
    open_tracking: row.open_tracking,
    click_tracking: row.click_tracking,
    tracking_hostname: row.tracking_hostname,
    tls: row.tls,
  };
  if (row.stream_id === null) {
    // No stored row: the default streams' defaults (broadcast has List-Unsubscribe); a stream deleted
    // since the email was accepted sets nothing.
    const fallback = isDefaultStream(streamId) ? defaultStream(tenantId, streamId, '') : null;
    return {
      domain,
      stream: {
        configuration_set: null,
        track_opens: fallback?.track_opens ?? null,
        track_clicks: fallback?.track_clicks ?? null,
        list_unsubscribe: fallback?.list_unsubscribe ?? 0,
      },
    };
  }
  return {
    domain,
    stream: {
      configuration_set: row.configuration_set,
      track_opens: row.track_opens,
      track_clicks: row.track_clicks,
      list_unsubscribe: row.list_unsubscribe ?? 0,
    },
  };
}
