// The Emails API in Resend's shape (POST /emails, /emails/batch, GET, PATCH, cancel), plus
// Mailgrid's optional extras (`stream`, `track_opens`, `track_clicks`). Shapes and limits that can be
// checked without a database live here; addresses, domains and suppressions are checked by `send`.
import * as v from 'valibot';
import { pageQuery, UuidId } from './paging';
import { ListOf } from './shapes';
import { NoControlChars } from './text';

export const EMAIL_LIMITS = {
  recipients: 50,
  subject: 998,
  /** html and text, each, in bytes. */
  body_bytes: 500 * 1024,
  attachments: 20,
  /** The whole message as SES v2 takes it (after base64), in bytes. */
  message_bytes: 40 * 1024 * 1024,
  batch: 100,
  schedule_days: 30,
  idempotency_key: 256,
  tags: 50,
} as const;

const NO_NEWLINES = /^[^\r\n]*$/;
const noNewlines = (field: string) => v.regex(NO_NEWLINES, `${field} must not contain line breaks`);

const AddressString = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(320),
  noNewlines('an address'),
);
const AddressList = v.union(
  [AddressString, v.array(AddressString)],
  'must be an address or a list of addresses',
);

const Attachment = v.strictObject({
  filename: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255), noNewlines('filename'))),
  /** Base64. The SDK sends Buffers as base64 strings. */
  content: v.optional(v.string()),
  /** An https URL to fetch the file from. */
  path: v.optional(v.pipe(v.string(), v.url('path must be a URL'))),
  content_type: v.optional(v.pipe(v.string(), v.maxLength(255), noNewlines('content_type'))),
  /** Makes the attachment inline, for `<img src="cid:...">`. */
  content_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(255), noNewlines('content_id'))),
  /** Mailgrid extra: a file uploaded with POST /files (its bytes are copied into the email at accept). */
  file_id: v.optional(v.pipe(v.string(), v.uuid('file_id must be a file id from POST /files'))),
});

const Tag = v.strictObject({
  name: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_-]{1,256}$/, 'tag names may use letters, digits, _ and - (up to 256)'),
  ),
  value: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_-]{0,256}$/, 'tag values may use letters, digits, _ and - (up to 256)'),
  ),
});

const HeaderName = v.pipe(
  v.string(),
  v.regex(/^[!-9;-~]{1,76}$/, 'header names are printable ASCII without ":"'),
);

export const SendEmailRequest = v.strictObject({
  /** Required unless the email's `template` has a from address (the request's wins). */
  from: v.optional(AddressString),
  to: AddressList,
  subject: v.optional(v.pipe(v.string(), v.maxLength(EMAIL_LIMITS.subject), noNewlines('subject'))),
  cc: v.optional(AddressList),
  bcc: v.optional(AddressList),
  reply_to: v.optional(AddressList),
  html: v.optional(v.string()),
  text: v.optional(v.string()),
  /**
   * Custom headers, `{ "X-Name": "value" }`. An array is refused: valibot's record takes one (as
   * `{ "0": ... }`). Control characters and reserved names are refused by send (@mailgrid/mime's checks).
   */
  headers: v.optional(
    v.pipe(
      v.custom<Record<string, unknown>>(
        (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
        'must be an object of header names to string values',
      ),
      v.record(
        HeaderName,
        v.pipe(
          v.string('header values must be strings'),
          v.maxLength(998, 'header values are at most 998 characters'),
          noNewlines('header values'),
        ),
      ),
    ),
  ),
  attachments: v.optional(v.pipe(v.array(Attachment), v.maxLength(EMAIL_LIMITS.attachments))),
  tags: v.optional(v.pipe(v.array(Tag), v.maxLength(EMAIL_LIMITS.tags))),
  /** ISO 8601 with a zone, or Resend's natural language ("in 1 min", "tomorrow at 9am", "Friday at 3pm ET"). */
  scheduled_at: v.optional(v.pipe(v.string(), v.maxLength(100))),
  /** A published template: renders html/text; its subject, from and reply_to fill in what the request leaves out. */
  template: v.optional(
    v.strictObject({
      id: v.pipe(v.string(), v.minLength(1)),
      variables: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean(), v.null()]))),
    }),
  ),
  /**
   * Resend's topic (the unsubscribe scope): recipients opted out of it are left out (listed in
   * `suppressed`), and the email's unsubscribe link opts out of this topic only.
   */
  topic_id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
  // Mailgrid extras.
  stream: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,64}$/, 'stream is a stream id'))),
  track_opens: v.optional(v.boolean()),
  track_clicks: v.optional(v.boolean()),
  /** List-Unsubscribe headers (one-click): on for broadcast streams by default; `true` asks for them. */
  list_unsubscribe: v.optional(v.boolean()),
});
export type SendEmailRequest = v.InferOutput<typeof SendEmailRequest>;

export const BatchEmailRequest = v.pipe(
  v.array(v.unknown()),
  v.minLength(1, 'send at least one email'),
  v.maxLength(EMAIL_LIMITS.batch, `a batch holds at most ${EMAIL_LIMITS.batch} emails`),
);

export const UpdateEmailRequest = v.strictObject({
  scheduled_at: v.pipe(v.string(), v.maxLength(100)),
});
export type UpdateEmailRequest = v.InferOutput<typeof UpdateEmailRequest>;

export const EMAIL_STATUSES = [
  'scheduled',
  'queued',
  'sending',
  'sent',
  'failed',
  'canceled',
  'suppressed',
] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** GET /emails/:id, as Resend's, plus Mailgrid's fields at the end. */
export const EmailObject = v.pipe(
  v.object({
    object: v.literal('email'),
    id: v.string(),
    from: v.string(),
    to: v.array(v.string()),
    cc: v.array(v.string()),
    bcc: v.array(v.string()),
    reply_to: v.array(v.string()),
    subject: v.string(),
    html: v.nullable(v.string()),
    text: v.nullable(v.string()),
    created_at: v.string(),
    scheduled_at: v.nullable(v.string()),
    last_event: v.string(),
    tags: v.array(v.object({ name: v.string(), value: v.string() })),
    stream: v.string(),
    /** Recipients that were not sent to because they are on the suppression list. */
    suppressed: v.array(v.string()),
    /** Why a failed email failed. */
    error: v.nullable(v.string()),
    /** The broadcast this email is one recipient's copy of; null for a transactional email. */
    broadcast_id: v.nullable(v.string()),
    /**
     * The RFC 5322 Message-ID the recipients got (for In-Reply-To / References); null until it is
     * sent. Amazon SES replaces the one Mailgrid writes with its own (`<ses id@email.amazonses.com>`).
     */
    message_id: v.nullable(v.string()),
  }),
  v.title('EmailObject'),
  v.description('One email as accepted, with its bodies and where its delivery stands.'),
);
export type EmailObject = v.InferOutput<typeof EmailObject>;

export const EmailSummary = v.pipe(
  v.omit(v.object(EmailObject.entries), ['html', 'text']),
  v.title('EmailSummary'),
  v.description('An email as listed: the email object without `html` and `text`.'),
);
export type EmailSummary = v.InferOutput<typeof EmailSummary>;

export const EmailList = v.pipe(
  ListOf(EmailSummary),
  v.title('EmailList'),
  v.description('A page of emails.'),
);
export type EmailList = v.InferOutput<typeof EmailList>;

/** A day (`2026-03-01`, UTC) or an ISO 8601 timestamp in UTC. */
const DayOrTime = (name: string) =>
  v.pipe(
    v.string(),
    v.regex(
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/,
      `${name} must be a day (YYYY-MM-DD) or a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)`,
    ),
    v.check((text) => !Number.isNaN(Date.parse(text)), `${name} is not a real date`),
  );

/**
 * Mailgrid's filters of the email log (the dashboard's; Resend's list takes none). Each narrows the
 * page; `after`/`before` page through the filtered list.
 */
export const ListEmailsQuery = pageQuery(UuidId('an email'), {
  last_event: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[a-z_]{1,40}$/, 'last_event is an event name (delivered, bounced…)'),
      v.description('Only emails whose last event is this (`delivered`, `bounced`, `opened`…).'),
    ),
  ),
  stream: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[a-z0-9-]{1,64}$/, 'stream is a stream id'),
      v.description('Only this stream.'),
    ),
  ),
  domain: v.optional(
    v.pipe(
      v.string(),
      v.toLowerCase(),
      v.regex(/^[a-z0-9.-]{1,253}$/, 'domain is a domain name'),
      v.description('Only emails sent from this domain of the account.'),
    ),
  ),
  tag: v.optional(
    v.pipe(
      v.string(),
      NoControlChars,
      v.minLength(1, 'tag must not be empty'),
      v.maxLength(512),
      v.description('`name` (any value) or `name:value`: only emails with such a tag.'),
    ),
  ),
  since: v.optional(
    v.pipe(DayOrTime('since'), v.description('Only emails created at or after this day (UTC) or time.')),
  ),
  until: v.optional(
    v.pipe(
      DayOrTime('until'),
      v.description('Only emails created up to this day (UTC, the whole day) or time.'),
    ),
  ),
  q: v.optional(
    v.pipe(
      v.string(),
      NoControlChars,
      v.minLength(1, 'q must not be empty'),
      v.maxLength(320),
      v.description(
        'Only emails whose subject or an address (from, to, cc, bcc) contains this text (any case).',
      ),
    ),
  ),
});
export type ListEmailsQuery = v.InferOutput<typeof ListEmailsQuery>;

/** GET /emails/:id/raw: which reader's copy, when the email went out as one copy per reader. */
export const RawEmailQuery = v.object({
  recipient: v.optional(v.pipe(v.string(), v.maxLength(320), v.email('recipient must be an email address'))),
});
export type RawEmailQuery = v.InferOutput<typeof RawEmailQuery>;

/** The EML as SES was given it, and how many copies (one per reader with tracking) the email has. */
export interface RawEmail {
  eml: string;
  copies: number;
}

export type BatchValidation = 'strict' | 'permissive';

export const BatchResponse = v.pipe(
  v.object({
    data: v.array(v.object({ id: v.string() })),
    /** Permissive mode only: the emails that were refused, by their index in the request. */
    errors: v.optional(v.array(v.object({ index: v.number(), message: v.string() }))),
  }),
  v.title('BatchResponse'),
  v.description("The accepted emails' ids; in permissive mode also the refused emails, by index."),
);
export type BatchResponse = v.InferOutput<typeof BatchResponse>;

/** The send queue's messages: one email (below), or a broadcast's fan-out step (broadcast-sending.ts). */
export interface SendQueueMessage {
  kind: 'send';
  tenant_id: string;
  email_id: string;
  /**
   * Its SES token was booked when it was handed back to wait (RateLimiterRpc.book): delivered the
   * first time, it sends without asking the pacer again. Any later delivery asks as usual.
   */
  booked?: true;
}

/**
 * On the events queue (`mailgrid-events`), from the send consumer: an email it gave up on (SES
 * refused it, its attempts ran out, or its message could not be built). The events consumer records
 * it as an `email.failed` event (once per email) and fires the webhooks subscribed to it.
 */
export interface SendFailedMessage {
  kind: 'send.failed';
  tenant_id: string;
  email_id: string;
  /** Why, as the email's `error` says it. */
  reason: string;
  /** When the send consumer failed it (ISO 8601). */
  occurred_at: string;
}
