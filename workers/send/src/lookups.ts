// Everything an accept reads, in ONE D1 batch (one round trip, however many emails; the common reads
// in one statement of it): the idempotency
// key's claim, the tenant's daily limit, today's count and its paused streams, the sending domains
// and streams the emails name, their templates and files, and the suppressions and topic opt-outs
// of all their recipients. `planReads` lists what the request names (before any check, so it never
// throws); preparing the emails then reads only these answers. Kept for one request only, so a
// change made between requests is seen at once. Something the plan missed is still read, on its
// own (a round trip more, visible in the accept's log line), never guessed.
import type { SendEmailRequest } from '@mailgrid/contracts';
import {
  acceptStateQuery,
  type ClaimOutcome,
  claimOutcome,
  type Db,
  findDomainByName,
  findFilesQuery,
  findOptedOut,
  findSuppressed,
  findTemplate,
  findTemplatesQuery,
  getFile,
  getStream,
  idempotencyClaimQueries,
  isDefaultStream,
  type OptOutReads,
  type OptOutScope,
  optedOutAmong,
  optOutContactsQuery,
  optOutReads,
  runBatch,
  sendingDomainsQuery,
  streamTypesQuery,
  suppressedAmongQuery,
  topicDefaultsQuery,
} from '@mailgrid/db';
import { parseAddress } from '@mailgrid/mime';
import type { Compilable, InferResult, SelectQueryBuilder } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import { usageDay } from './daily-quota';
import type { PausedStreams } from './paused';

type DomainLookup = Awaited<ReturnType<typeof findDomainByName>>;
// biome-ignore lint/suspicious/noExplicitAny: any query of the schema; its rows are typed by InferResult.
type AnySelect = SelectQueryBuilder<any, any, any>;
type TemplateLookup = Awaited<ReturnType<typeof findTemplate>>;
type FileLookup = Awaited<ReturnType<typeof getFile>>;

export interface Lookups {
  /** The idempotency key's claim; null without an Idempotency-Key. */
  claim: ClaimOutcome | null;
  paused: PausedStreams;
  quota: { limit: number | null; used: number };
  domain(name: string): Promise<DomainLookup>;
  /** The stream's type; undefined when the tenant has no such stream. */
  streamType(stream: string): Promise<'transactional' | 'broadcast' | undefined>;
  template(idOrAlias: string): Promise<TemplateLookup>;
  file(id: string): Promise<FileLookup>;
  /** Of these lower-cased addresses, the suppressed ones. */
  suppressed(addresses: string[]): Promise<Set<string>>;
  /** `optedOutAmong` (null: an unknown topic). */
  optedOut(addresses: string[], scope: OptOutScope): Promise<Set<string> | null>;
}

/** What a request names, each kind read with one statement. */
export interface ReadPlan {
  domains: Set<string>;
  /** An email takes its sender from its template: read all the tenant's sending domains. */
  allDomains: boolean;
  streams: Set<string>;
  templates: Set<string>;
  files: Set<string>;
  recipients: Set<string>;
  /** Recipients of emails that may filter opt-outs (a topic, or a stream other than transactional). */
  optOutRecipients: Set<string>;
  topics: Set<string>;
}

/** What these emails (extras already lifted) name. Anything malformed is skipped: prepare refuses it. */
export function planReads(emails: SendEmailRequest[]): ReadPlan {
  const plan: ReadPlan = {
    domains: new Set(),
    allDomains: false,
    streams: new Set(),
    templates: new Set(),
    files: new Set(),
    recipients: new Set(),
    optOutRecipients: new Set(),
    topics: new Set(),
  };
  for (const email of emails) {
    const from = typeof email.from === 'string' ? parseAddress(email.from) : null;
    if (from) plan.domains.add(from.email.slice(from.email.lastIndexOf('@') + 1).toLowerCase());
    else if (email.from === undefined && email.template) plan.allDomains = true;
    const stream = email.stream ?? 'transactional';
    if (!isDefaultStream(stream)) plan.streams.add(stream);
    if (typeof email.template?.id === 'string') plan.templates.add(email.template.id);
    for (const attachment of Array.isArray(email.attachments) ? email.attachments : []) {
      if (typeof attachment?.file_id === 'string') plan.files.add(attachment.file_id);
    }
    const topic = typeof email.topic_id === 'string' ? email.topic_id : null;
    if (topic !== null) plan.topics.add(topic);
    for (const field of [email.to, email.cc, email.bcc]) {
      for (const raw of field === undefined ? [] : Array.isArray(field) ? field : [field]) {
        const address = typeof raw === 'string' ? parseAddress(raw) : null;
        if (!address) continue;
        const bare = address.email.toLowerCase();
        plan.recipients.add(bare);
        if (topic !== null || stream !== 'transactional') plan.optOutRecipients.add(bare);
      }
    }
  }
  return plan;
}

/**
 * Queries run together in one batch(); each `add` gives the reader of its own rows. Reads with
 * explicit columns (`addToOne`) share ONE statement, each as a JSON array column
 * (kysely's jsonArrayFrom): D1 runs one statement at a time for every tenant, so a lone email's
 * accept reads in one statement instead of one per kind of lookup. The key's claim (an INSERT) and
 * the `selectAll` reads (templates, files: rare) stay statements of their own.
 */
class ReadBatch {
  private readonly queries: Compilable[] = [];
  private readonly combined: [string, AnySelect][] = [];
  private results: D1Result[] = [];
  private columns: Record<string, unknown> = {};

  add<Q extends Compilable>(query: Q): () => InferResult<Q> {
    const index = this.queries.push(query) - 1;
    return () => (this.results[index]?.results ?? []) as InferResult<Q>;
  }

  addToOne<Q extends AnySelect>(query: Q): () => InferResult<Q> {
    const name = `r${this.combined.length}`;
    this.combined.push([name, query]);
    return () => {
      const value = this.columns[name];
      return (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as InferResult<Q>;
    };
  }

  async run(d1: D1Database, db: Db): Promise<void> {
    const statements = [...this.queries];
    if (this.combined.length > 0) {
      statements.push(db.selectNoFrom(this.combined.map(([name, query]) => jsonArrayFrom(query).as(name))));
    }
    this.results = await runBatch(d1, statements);
    if (this.combined.length > 0) {
      this.columns = (this.results[this.queries.length]?.results?.[0] ?? {}) as Record<string, unknown>;
    }
  }
}

/** Runs the plan's reads (and the key's claim) as one D1 batch. */
export async function readForAccept(
  d1: D1Database,
  db: Db,
  tenantId: string,
  plan: ReadPlan,
  idempotency: { key: string; hash: string } | null,
  now: Date,
): Promise<Lookups> {
  const batch = new ReadBatch();
  // The claim first: D1 runs a batch in order as one transaction, and its read must see the claim.
  const claimQueries = idempotency
    ? idempotencyClaimQueries(db, tenantId, idempotency.key, idempotency.hash, now)
    : null;
  const claimed = claimQueries ? batch.add(claimQueries.claim) : null;
  const existing = claimQueries ? batch.add(claimQueries.existing) : null;
  const state = batch.addToOne(acceptStateQuery(db, tenantId, usageDay(now)));
  const domains =
    plan.allDomains || plan.domains.size > 0
      ? batch.addToOne(sendingDomainsQuery(db, tenantId, plan.allDomains ? 'all' : plan.domains))
      : null;
  const streams = plan.streams.size > 0 ? batch.addToOne(streamTypesQuery(db, tenantId, plan.streams)) : null;
  const templates =
    plan.templates.size > 0 ? batch.add(findTemplatesQuery(db, tenantId, [...plan.templates])) : null;
  const files = plan.files.size > 0 ? batch.add(findFilesQuery(db, tenantId, [...plan.files])) : null;
  const suppressions =
    plan.recipients.size > 0 ? batch.addToOne(suppressedAmongQuery(db, tenantId, plan.recipients)) : null;
  const contacts =
    plan.optOutRecipients.size > 0
      ? batch.addToOne(optOutContactsQuery(db, tenantId, plan.optOutRecipients, plan.topics))
      : null;
  const topics = plan.topics.size > 0 ? batch.addToOne(topicDefaultsQuery(db, tenantId, plan.topics)) : null;
  await batch.run(d1, db);

  const tenant = state()[0];
  // The paused list is JSON inside the JSON: a string, or already an array where SQLite kept it as JSON.
  const pausedValue: unknown = tenant?.paused ?? '[]';
  const paused = (typeof pausedValue === 'string' ? JSON.parse(pausedValue) : pausedValue) as {
    stream: string;
    reason: string | null;
  }[];
  const domainRows = new Map((domains?.() ?? []).map((row) => [row.name, row]));
  const streamRows = new Map((streams?.() ?? []).map((row) => [row.id, row.type]));
  const templateRows = templates?.() ?? [];
  const fileRows = new Map((files?.() ?? []).map((row) => [row.id, row]));
  const suppressed = new Set((suppressions?.() ?? []).map((row) => row.email));
  const optOuts: OptOutReads = optOutReads(contacts?.() ?? [], topics?.() ?? []);
  const planned = (set: Set<string>, values: string[]) => values.every((value) => set.has(value));

  return {
    claim: claimed && existing ? claimOutcome(claimed(), existing()) : null,
    paused: new Map(paused.map((row) => [row.stream, { reason: row.reason }])),
    quota: { limit: tenant?.daily_send_limit ?? null, used: tenant?.accepted ?? 0 },
    domain: async (name) =>
      plan.allDomains || plan.domains.has(name) ? domainRows.get(name) : findDomainByName(db, tenantId, name),
    streamType: async (stream) => {
      if (isDefaultStream(stream)) return stream === 'broadcast' ? 'broadcast' : 'transactional';
      if (plan.streams.has(stream)) return streamRows.get(stream);
      return (await getStream(db, tenantId, stream))?.type;
    },
    template: async (ref) => {
      if (!plan.templates.has(ref)) return findTemplate(db, tenantId, ref);
      // By id before by alias, should one template's alias be another's id.
      return templateRows.find((row) => row.id === ref) ?? templateRows.find((row) => row.alias === ref);
    },
    file: async (id) => (plan.files.has(id) ? fileRows.get(id) : getFile(db, tenantId, id)),
    suppressed: async (addresses) =>
      planned(plan.recipients, addresses)
        ? new Set(addresses.filter((address) => suppressed.has(address)))
        : findSuppressed(db, tenantId, addresses),
    optedOut: async (addresses, scope) => {
      const needsContacts = scope.broadcast || scope.topicId !== null;
      const read =
        (!needsContacts || planned(plan.optOutRecipients, addresses)) &&
        (scope.topicId === null || plan.topics.has(scope.topicId));
      return read ? optedOutAmong(optOuts, addresses, scope) : findOptedOut(db, tenantId, addresses, scope);
    },
  };
}
