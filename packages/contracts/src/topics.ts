// Resend's Topics: what a tenant's broadcasts are about, each with the subscription a contact has
// until they choose (opt_in: subscribed until they opt out; opt_out: not until they opt in), and
// whether the preference page shows it to everyone (public) or only to contacts opted in (private).
import * as v from 'valibot';
import type { Caller } from './caller';
import type { RpcResult } from './rpc-result';
import { DeletedRef, ObjectRef } from './shapes';
import { NoControlChars } from './text';

export const TOPIC_SUBSCRIPTIONS = ['opt_in', 'opt_out'] as const;
export type TopicSubscription = (typeof TOPIC_SUBSCRIPTIONS)[number];
export const TOPIC_VISIBILITIES = ['public', 'private'] as const;
export type TopicVisibility = (typeof TOPIC_VISIBILITIES)[number];

export const TOPIC_LIMITS = { name: 50, description: 200 } as const;

const Name = v.pipe(
  v.string('name must be a string'),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'name must not be empty'),
  v.maxLength(TOPIC_LIMITS.name, `name must be at most ${TOPIC_LIMITS.name} characters`),
);
const Description = v.pipe(
  v.string('description must be a string'),
  NoControlChars,
  v.trim(),
  v.maxLength(TOPIC_LIMITS.description, `description must be at most ${TOPIC_LIMITS.description} characters`),
);
const Visibility = v.picklist(['public', 'private'], "visibility must be 'public' or 'private'");

export const CreateTopicRequest = v.strictObject({
  name: Name,
  description: v.nullish(Description),
  default_subscription: v.picklist(
    ['opt_in', 'opt_out'],
    "default_subscription must be 'opt_in' or 'opt_out'",
  ),
  /** Defaults to private, as Resend's. */
  visibility: v.nullish(Visibility),
});
export type CreateTopicRequest = v.InferOutput<typeof CreateTopicRequest>;

/** `null` clears the description. The SDK repeats the topic's `id` in the body; it is ignored. */
export const UpdateTopicRequest = v.strictObject({
  id: v.optional(v.pipe(v.string(), NoControlChars, v.maxLength(100))),
  name: v.optional(Name),
  description: v.nullish(Description),
  visibility: v.optional(Visibility),
  default_subscription: v.optional(
    v.never('default_subscription cannot be changed after creation; create a new topic'),
  ),
});
export type UpdateTopicRequest = v.InferOutput<typeof UpdateTopicRequest>;

export const TopicObject = v.pipe(
  v.object({
    object: v.literal('topic'),
    id: v.string(),
    name: v.string(),
    description: v.nullable(v.string()),
    default_subscription: v.picklist(TOPIC_SUBSCRIPTIONS),
    visibility: v.picklist(TOPIC_VISIBILITIES),
    created_at: v.string(),
    updated_at: v.string(),
  }),
  v.title('TopicObject'),
  v.description('A topic broadcasts are about, with the subscription contacts have until they choose.'),
);
export type TopicObject = v.InferOutput<typeof TopicObject>;

export const TopicList = v.pipe(
  v.object({
    object: v.literal('list'),
    has_more: v.boolean(),
    data: v.array(v.omit(v.object(TopicObject.entries), ['object'])),
  }),
  v.title('TopicList'),
  v.description('Every topic of the tenant, newest first (items without `object`).'),
);
export type TopicList = v.InferOutput<typeof TopicList>;

export const TopicResponse = ObjectRef('topic');
export type TopicResponse = v.InferOutput<typeof TopicResponse>;

export const DeletedTopic = DeletedRef('topic');
export type DeletedTopic = v.InferOutput<typeof DeletedTopic>;

/** Topics over RPC; another tenant's topic is not_found. */
export interface TopicsAdminRpc {
  createTopic(caller: Caller, input: CreateTopicRequest): Promise<RpcResult<TopicResponse>>;
  /** Every topic of the tenant, newest first (Resend does not page topics). */
  listTopics(caller: Caller): Promise<RpcResult<TopicList>>;
  getTopic(caller: Caller, id: string): Promise<RpcResult<TopicObject>>;
  updateTopic(caller: Caller, id: string, input: UpdateTopicRequest): Promise<RpcResult<TopicResponse>>;
  /** Contacts' choices about it go with it. */
  deleteTopic(caller: Caller, id: string): Promise<RpcResult<DeletedTopic>>;
}
