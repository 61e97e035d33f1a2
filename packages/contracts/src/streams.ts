// Mailgrid extra: message streams, as Postmark's (POST/GET /streams, GET/PATCH/DELETE /streams/:id).
// A stream separates kinds of mail (transactional vs broadcast) so each has its own SES
// configuration set, IP pool, tracking and unsubscribe defaults, and its own reputation.
import * as v from 'valibot';
import type { Caller } from './caller';
import { REPUTATION_STATUSES } from './reputation';
import type { RpcResult } from './rpc-result';
import { DeletedRef } from './shapes';
import { NoControlChars } from './text';

export const STREAM_TYPES = ['transactional', 'broadcast'] as const;
export type StreamType = (typeof STREAM_TYPES)[number];

/** Every tenant has these two, whether or not it ever changed them; neither can be deleted. */
export const DEFAULT_STREAM_IDS = ['transactional', 'broadcast'] as const;

/** At most this many streams per tenant, the two defaults included. */
export const MAX_STREAMS = 50;

const StreamId = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9-]{1,64}$/, 'id is a slug: 1 to 64 lower-case letters, digits and -'),
);
const Name = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(100, 'name is at most 100 characters'),
);
// SES's rule for configuration set and dedicated IP pool names.
const SesName = (field: string) =>
  v.nullable(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_-]{1,64}$/, `${field} is 1 to 64 letters, digits, _ and - (SES's naming rule)`),
    ),
  );
const Type = v.picklist(STREAM_TYPES, 'type must be transactional or broadcast');

export const CreateStreamRequest = v.strictObject({
  id: StreamId,
  name: Name,
  type: Type,
  configuration_set: v.optional(SesName('configuration_set')),
  ip_pool: v.optional(SesName('ip_pool')),
  /** Unset (or null): the sending domain's setting applies. */
  track_opens: v.optional(v.nullable(v.boolean())),
  track_clicks: v.optional(v.nullable(v.boolean())),
  /** Default: true on a broadcast stream, false on a transactional one. */
  list_unsubscribe: v.optional(v.boolean()),
});
export type CreateStreamRequest = v.InferOutput<typeof CreateStreamRequest>;

/** A stream's type is fixed once made (as Postmark's); `null` clears an optional setting. */
export const UpdateStreamRequest = v.strictObject({
  name: v.optional(Name),
  configuration_set: v.optional(SesName('configuration_set')),
  ip_pool: v.optional(SesName('ip_pool')),
  track_opens: v.optional(v.nullable(v.boolean())),
  track_clicks: v.optional(v.nullable(v.boolean())),
  list_unsubscribe: v.optional(v.boolean()),
});
export type UpdateStreamRequest = v.InferOutput<typeof UpdateStreamRequest>;

/** The guardrail's last evaluation of the stream (reputation_state), as GET /streams/:id shows it. */
export const StreamReputationFigures = v.pipe(
  v.object({
    status: v.picklist(REPUTATION_STATUSES),
    sent: v.number(),
    bounced: v.number(),
    complained: v.number(),
    bounce_rate: v.number(),
    complaint_rate: v.number(),
    reason: v.nullable(v.string()),
    warned_at: v.nullable(v.string()),
    paused_at: v.nullable(v.string()),
    resumed_at: v.nullable(v.string()),
    /** When the guardrail last evaluated the stream; null when it never has (no sends yet). */
    updated_at: v.nullable(v.string()),
  }),
  v.title('StreamReputationFigures'),
  v.description("The reputation guardrail's last evaluation of the stream."),
);
export type StreamReputationFigures = v.InferOutput<typeof StreamReputationFigures>;

export const StreamObject = v.pipe(
  v.object({
    object: v.literal('stream'),
    id: v.string(),
    name: v.string(),
    type: v.picklist(STREAM_TYPES),
    configuration_set: v.nullable(v.string()),
    ip_pool: v.nullable(v.string()),
    track_opens: v.nullable(v.boolean()),
    track_clicks: v.nullable(v.boolean()),
    list_unsubscribe: v.boolean(),
    /** `transactional` and `broadcast`: always there, never deletable. */
    default: v.boolean(),
    created_at: v.string(),
    updated_at: v.string(),
  }),
  v.title('StreamObject'),
  v.description(
    'A message stream: its own SES configuration set, IP pool, tracking and unsubscribe defaults.',
  ),
);
export type StreamObject = v.InferOutput<typeof StreamObject>;

/** GET /streams/:id adds the stream's reputation. */
export const StreamWithReputation = v.pipe(
  v.object({ ...StreamObject.entries, reputation: StreamReputationFigures }),
  v.title('StreamWithReputation'),
  v.description('A message stream with its reputation.'),
);
export type StreamWithReputation = v.InferOutput<typeof StreamWithReputation>;

export const StreamList = v.pipe(
  v.object({ object: v.literal('list'), has_more: v.boolean(), data: v.array(StreamObject) }),
  v.title('StreamList'),
  v.description('Every stream of the tenant, the two defaults first.'),
);
export type StreamList = v.InferOutput<typeof StreamList>;

export const DeletedStream = DeletedRef('stream');
export type DeletedStream = v.InferOutput<typeof DeletedStream>;

export interface StreamsAdminRpc {
  /** An id the tenant already has (the defaults included) is `conflict`. */
  createStream(caller: Caller, input: CreateStreamRequest): Promise<RpcResult<StreamObject>>;
  /** The defaults first, then the others oldest first. */
  listStreams(caller: Caller): Promise<RpcResult<StreamList>>;
  getStream(caller: Caller, id: string): Promise<RpcResult<StreamWithReputation>>;
  /** On a default never stored, stores it with the change. */
  updateStream(caller: Caller, id: string, input: UpdateStreamRequest): Promise<RpcResult<StreamObject>>;
  /** The defaults are `conflict`. Emails already accepted on the stream still send. */
  deleteStream(caller: Caller, id: string): Promise<RpcResult<DeletedStream>>;
}
