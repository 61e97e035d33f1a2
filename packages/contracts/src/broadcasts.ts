// Broadcasts as Resend's Broadcasts API shapes them (create, list, get, update, delete, duplicate,
// recipients, clicked links), plus Mailgrid's progress and engagement figures on the object. admin
// owns the object and which fields may change in which status; sending it (send, pause, resume,
// cancel, test) is the send worker's (broadcast-sending.ts). Only shapes are checked here: the
// segment, the topic and the merge tags' contact properties are checked by admin against the tenant.
import * as v from 'valibot';
import type { Caller } from './caller';
import { EMAIL_LIMITS, EMAIL_STATUSES } from './emails';
import { pageQuery, UuidId } from './paging';
import type { RpcResult } from './rpc-result';
import { DeletedRef, ListOf, ObjectRef } from './shapes';
import { NoControlChars, NoNul } from './text';

export const BROADCAST_LIMITS = {
  name: 255,
  /** "<name> (copy)" as a whole, for a duplicate. */
  duplicate_name: 70,
  preview_text: 500,
  /** Addresses of one test send. */
  test_recipients: 5,
} as const;

export const BROADCAST_STATUSES = ['draft', 'scheduled', 'queued', 'paused', 'sent', 'canceled'] as const;
export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

/** While a broadcast is in one of these, every field may change and it may be deleted. */
export const EDITABLE_BROADCAST_STATUSES = ['draft', 'scheduled'] as const satisfies BroadcastStatus[];

const EMAIL = v.pipe(v.string(), v.email());

/**
 * `you@example.com` or `Name <you@example.com>`. The display name and the domain's standing are
 * send's to judge (@mailgrid/mime, a verified domain) when the broadcast is sent.
 */
const isMailbox = (value: string) => {
  const angled = /^([^<>]*)<([^<>]*)>$/.exec(value);
  return v.is(EMAIL, (angled ? (angled[2] as string) : value).trim());
};

const Address = (field: string) =>
  v.pipe(
    v.string(`${field} must be a string`),
    NoControlChars,
    v.trim(),
    v.maxLength(320),
    v.check(isMailbox, 'must be an address: "you@example.com" or "Name <you@example.com>"'),
  );

const ReplyTo = v.union(
  [Address('reply_to'), v.pipe(v.array(Address('reply_to')), v.maxLength(EMAIL_LIMITS.recipients))],
  'reply_to must be an address or a list of addresses',
);

const Name = v.pipe(
  v.string('name must be a string'),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(BROADCAST_LIMITS.name),
);

const Subject = v.pipe(
  v.string('subject must be a string'),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'subject must not be empty'),
  v.maxLength(EMAIL_LIMITS.subject),
);

const Body = v.pipe(v.string(), NoNul, v.maxBytes(EMAIL_LIMITS.body_bytes));

// Shown by mail clients next to the subject: one line, like the subject.
const PreviewText = v.pipe(
  v.string('preview_text must be a string'),
  NoControlChars,
  v.maxLength(BROADCAST_LIMITS.preview_text),
);

const SegmentId = UuidId('a segment');
const TopicId = UuidId('a topic');

/** ISO 8601 or Resend's natural language ("in 1 hour"); send parses it. */
const ScheduledAt = v.pipe(v.string('scheduled_at must be a string'), NoControlChars, v.maxLength(100));

// The broadcast's content. The SDK leaves unset fields out; null is taken as "not given" too, except
// where it clears a field on update (reply_to, preview_text, topic_id, html, text).
const content = {
  /** The audience: a segment of the tenant. */
  segment_id: v.nullish(SegmentId),
  /** Deprecated name of segment_id (Resend's audiences became segments). */
  audience_id: v.nullish(SegmentId),
  name: v.nullish(Name),
  from: v.nullish(Address('from')),
  subject: v.nullish(Subject),
  reply_to: v.nullish(ReplyTo),
  html: v.nullish(Body),
  /** "" sends no text part; left out (or null), the text part is generated from the html at send. */
  text: v.nullish(Body),
  preview_text: v.nullish(PreviewText),
  /** Only contacts subscribed to this topic receive it, and its unsubscribe link opts out of it. */
  topic_id: v.nullish(TopicId),
  /** Mailgrid: the stream it goes out on (its configuration set, its reputation); default `broadcast`. */
  stream: v.nullish(
    v.pipe(v.string('stream must be a string'), v.regex(/^[a-z0-9-]{1,64}$/, 'stream is a stream id')),
  ),
  /**
   * Mailgrid: at most this many emails a second for this broadcast (warming up a domain or an IP),
   * below the account's SES rate; null or left out: as fast as the account's rate allows.
   */
  rate_per_second: v.nullish(
    v.pipe(
      v.number('rate_per_second must be a number'),
      v.minValue(0.1, 'rate_per_second must be at least 0.1'),
      v.maxValue(10_000, 'rate_per_second must be at most 10000'),
    ),
  ),
};

/** What admin stores: the request without `send` and `scheduled_at`, which the gateway hands to send. */
export const BroadcastContent = v.strictObject(content);
export type BroadcastContent = v.InferOutput<typeof BroadcastContent>;

export const CreateBroadcastRequest = v.pipe(
  v.strictObject({
    ...content,
    /** Send at once (or at scheduled_at) instead of keeping a draft. */
    send: v.nullish(v.boolean('send must be true or false')),
    scheduled_at: v.nullish(ScheduledAt),
  }),
  v.forward(
    v.partialCheck(
      [['send'], ['scheduled_at']],
      (input) => input.scheduled_at == null || input.send === true,
      'is taken only with send: true (a draft is scheduled with POST /broadcasts/:id/send)',
    ),
    ['scheduled_at'],
  ),
);
export type CreateBroadcastRequest = v.InferOutput<typeof CreateBroadcastRequest>;

export const UpdateBroadcastRequest = BroadcastContent;
export type UpdateBroadcastRequest = BroadcastContent;

export const SendBroadcastRequest = v.strictObject({ scheduled_at: v.nullish(ScheduledAt) });
export type SendBroadcastRequest = v.InferOutput<typeof SendBroadcastRequest>;

export const TestBroadcastRequest = v.strictObject({
  to: v.union(
    [
      Address('to'),
      v.pipe(
        v.array(Address('to')),
        v.minLength(1, 'to must name at least one address'),
        v.maxLength(
          BROADCAST_LIMITS.test_recipients,
          `a test goes to at most ${BROADCAST_LIMITS.test_recipients} addresses`,
        ),
      ),
    ],
    'to must be an address or a list of addresses',
  ),
});
export type TestBroadcastRequest = v.InferOutput<typeof TestBroadcastRequest>;

const IncludeMachine = v.optional(
  v.pipe(
    v.picklist(['true', 'false'], "include_machine must be 'true' or 'false'"),
    v.description('"true" to count machine opens and clicks (Apple MPP, scanners, bots) too.'),
  ),
);

export const ListBroadcastsQuery = pageQuery(UuidId('a broadcast'), {
  status: v.optional(
    v.picklist(BROADCAST_STATUSES, `status must be one of ${BROADCAST_STATUSES.join(', ')}`),
  ),
});
export type ListBroadcastsQuery = v.InferOutput<typeof ListBroadcastsQuery>;

export const GetBroadcastQuery = v.object({ include_machine: IncludeMachine });
export type GetBroadcastQuery = v.InferOutput<typeof GetBroadcastQuery>;

export const RECIPIENT_TYPES = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
  'suppressed',
] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

export const BOUNCE_TYPES = ['permanent', 'transient', 'undetermined'] as const;

export const ListRecipientsQuery = v.pipe(
  pageQuery(UuidId('a recipient'), {
    /**
     * Which recipients: `sent` and `suppressed` by their status, the others by having such an event.
     * Left out (a Mailgrid extra; the SDK always sends it): every recipient.
     */
    type: v.optional(v.picklist(RECIPIENT_TYPES, `type must be one of ${RECIPIENT_TYPES.join(', ')}`)),
    email: v.optional(
      v.pipe(
        v.string(),
        NoControlChars,
        v.minLength(1, 'email must not be empty'),
        v.maxLength(320),
        v.description('Only recipients whose address contains this text (any case).'),
      ),
    ),
    bounce_type: v.optional(
      v.picklist(BOUNCE_TYPES, `bounce_type must be one of ${BOUNCE_TYPES.join(', ')}`),
    ),
    include_machine: IncludeMachine,
  }),
  v.forward(
    v.partialCheck(
      [['type'], ['bounce_type']],
      (query) => query.bounce_type === undefined || query.type === 'bounced',
      'is taken only with type=bounced',
    ),
    ['bounce_type'],
  ),
);
export type ListRecipientsQuery = v.InferOutput<typeof ListRecipientsQuery>;

export const ListClickedLinksQuery = pageQuery(UuidId('a clicked link'), { include_machine: IncludeMachine });
export type ListClickedLinksQuery = v.InferOutput<typeof ListClickedLinksQuery>;

// --- responses -------------------------------------------------------------------------------------

export const BroadcastResponse = v.pipe(
  ObjectRef('broadcast'),
  v.title('BroadcastResponse'),
  v.description('The broadcast the operation created or changed.'),
);
export type BroadcastResponse = v.InferOutput<typeof BroadcastResponse>;

export const DeletedBroadcast = DeletedRef('broadcast');
export type DeletedBroadcast = v.InferOutput<typeof DeletedBroadcast>;

export const BroadcastTestResponse = v.pipe(
  v.object({
    object: v.literal('broadcast'),
    id: v.string(),
    emails: v.array(v.object({ id: v.string(), to: v.string() })),
  }),
  v.title('BroadcastTestResponse'),
  v.description('The test emails sent, one per address (transactional emails, listed under /emails).'),
);
export type BroadcastTestResponse = v.InferOutput<typeof BroadcastTestResponse>;

export const BroadcastProgress = v.pipe(
  v.object({
    /** The audience as frozen when sending started (suppressed contacts left out); null before. */
    recipients: v.nullable(v.number()),
    sent: v.number(),
    failed: v.number(),
    /** Suppressed and canceled recipients: never sent. */
    skipped: v.number(),
    /** Scheduled, queued or being handed to SES. */
    pending: v.number(),
    /** 0–100: recipients settled (sent, failed or canceled) of `recipients`. */
    percentage: v.number(),
    /** At the pace so far since sent_at; null when not sending or nothing settled yet. */
    estimated_finish_at: v.nullable(v.string()),
  }),
  v.title('BroadcastProgress'),
  v.description("Where sending stands, from the broadcast's recipient rows (a Mailgrid extra)."),
);
export type BroadcastProgress = v.InferOutput<typeof BroadcastProgress>;

export const BroadcastStats = v.pipe(
  v.object({
    sent: v.number(),
    delivered: v.number(),
    opened: v.number(),
    clicked: v.number(),
    bounced: v.number(),
    complained: v.number(),
    unsubscribed: v.number(),
  }),
  v.title('BroadcastStats'),
  v.description(
    'Recipients with at least one such event (sent: in status sent); people only unless include_machine=true (a Mailgrid extra).',
  ),
);
export type BroadcastStats = v.InferOutput<typeof BroadcastStats>;

export const BroadcastSummary = v.pipe(
  v.object({
    id: v.string(),
    name: v.string(),
    /** The same value as segment_id (Resend's older name). */
    audience_id: v.string(),
    segment_id: v.string(),
    status: v.picklist(BROADCAST_STATUSES),
    created_at: v.string(),
    scheduled_at: v.nullable(v.string()),
    sent_at: v.nullable(v.string()),
  }),
  v.title('BroadcastSummary'),
  v.description('A broadcast as listed, without its content.'),
);
export type BroadcastSummary = v.InferOutput<typeof BroadcastSummary>;

export const BroadcastList = v.pipe(
  ListOf(BroadcastSummary),
  v.title('BroadcastList'),
  v.description('A page of broadcasts, newest first.'),
);
export type BroadcastList = v.InferOutput<typeof BroadcastList>;

export const BroadcastObject = v.pipe(
  v.object({
    object: v.literal('broadcast'),
    id: v.string(),
    name: v.string(),
    segment_id: v.string(),
    audience_id: v.string(),
    from: v.string(),
    subject: v.string(),
    reply_to: v.nullable(v.array(v.string())),
    preview_text: v.nullable(v.string()),
    status: v.picklist(BROADCAST_STATUSES),
    created_at: v.string(),
    scheduled_at: v.nullable(v.string()),
    sent_at: v.nullable(v.string()),
    topic_id: v.nullable(v.string()),
    html: v.nullable(v.string()),
    text: v.nullable(v.string()),
    stream: v.string(),
    rate_per_second: v.nullable(v.number()),
    progress: BroadcastProgress,
    stats: BroadcastStats,
  }),
  v.title('BroadcastObject'),
  v.description("A broadcast's content and status, with Mailgrid's progress and stats."),
);
export type BroadcastObject = v.InferOutput<typeof BroadcastObject>;

export const BroadcastRecipient = v.pipe(
  v.object({
    /** The recipient's email row (GET /emails/:id). */
    id: v.string(),
    contact_id: v.nullable(v.string()),
    email: v.string(),
    /** The recipient's email status (a Mailgrid extra). */
    status: v.picklist(EMAIL_STATUSES),
    /** opened and clicked: how many such events. */
    count: v.optional(v.number()),
    clicked_links: v.optional(v.array(v.object({ url: v.string(), clicks: v.number() }))),
    bounce_type: v.optional(v.picklist(BOUNCE_TYPES)),
  }),
  v.title('BroadcastRecipient'),
  v.description('One recipient of a broadcast, with what the asked type adds.'),
);
export type BroadcastRecipient = v.InferOutput<typeof BroadcastRecipient>;

export const BroadcastRecipientList = v.pipe(
  ListOf(BroadcastRecipient),
  v.title('BroadcastRecipientList'),
  v.description("A page of a broadcast's recipients."),
);
export type BroadcastRecipientList = v.InferOutput<typeof BroadcastRecipientList>;

export const BroadcastClickedLink = v.pipe(
  v.object({
    /** An opaque cursor for paging; it names no other object. */
    id: v.string(),
    url: v.string(),
    clicks: v.number(),
    unique_clicks: v.number(),
  }),
  v.title('BroadcastClickedLink'),
  v.description('A link of the broadcast that was clicked: clicks, and recipients who clicked it.'),
);
export type BroadcastClickedLink = v.InferOutput<typeof BroadcastClickedLink>;

export const BroadcastClickedLinkList = v.pipe(
  ListOf(BroadcastClickedLink),
  v.title('BroadcastClickedLinkList'),
  v.description("A page of a broadcast's clicked links, most clicked first."),
);
export type BroadcastClickedLinkList = v.InferOutput<typeof BroadcastClickedLinkList>;

/** Broadcasts over RPC (MessagingService); another tenant's broadcast is not_found. */
export interface BroadcastsAdminRpc {
  createBroadcast(caller: Caller, input: BroadcastContent): Promise<RpcResult<BroadcastResponse>>;
  listBroadcasts(caller: Caller, query: ListBroadcastsQuery): Promise<RpcResult<BroadcastList>>;
  getBroadcast(caller: Caller, id: string, query: GetBroadcastQuery): Promise<RpcResult<BroadcastObject>>;
  /** Every field while draft or scheduled; only the name once sending started. */
  updateBroadcast(
    caller: Caller,
    id: string,
    input: UpdateBroadcastRequest,
  ): Promise<RpcResult<BroadcastResponse>>;
  /** Only a draft or a scheduled broadcast. */
  deleteBroadcast(caller: Caller, id: string): Promise<RpcResult<DeletedBroadcast>>;
  /** A new draft with the same content, "<name> (copy)". */
  duplicateBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastResponse>>;
  listBroadcastRecipients(
    caller: Caller,
    id: string,
    query: ListRecipientsQuery,
  ): Promise<RpcResult<BroadcastRecipientList>>;
  listBroadcastClickedLinks(
    caller: Caller,
    id: string,
    query: ListClickedLinksQuery,
  ): Promise<RpcResult<BroadcastClickedLinkList>>;
}
