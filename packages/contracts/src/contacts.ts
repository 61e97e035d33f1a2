// Contacts as Resend's global contacts: one per address per tenant, addressed by id or email, with
// typed custom properties (declared through contact-properties), segments and topic subscriptions.
// The schemas check shape only; whether each property is declared and of its type is checked by
// admin against the tenant's declarations, naming `properties.<key>`.
import * as v from 'valibot';
import type { Caller } from './caller';
import { MaxDepth } from './json';
import { pageQuery, UuidId } from './paging';
import type { RpcResult } from './rpc-result';
import { SegmentSummary } from './segments';
import { ListOf, ObjectRef } from './shapes';
import { NoControlChars, nulAt } from './text';
import { TOPIC_SUBSCRIPTIONS } from './topics';

export const CONTACT_LIMITS = {
  email: 320,
  name: 255,
  /** Segments or topics given in one create or one topics update. */
  refs: 100,
  /** A string property value. */
  property_value: 2000,
} as const;

/** A bare address, trimmed and lower-cased: one contact per address. */
export const ContactEmail = v.pipe(
  v.string('email must be a string'),
  v.trim(),
  v.toLowerCase(),
  v.maxLength(CONTACT_LIMITS.email),
  v.email('email must be an email address'),
);

const Name = v.pipe(v.string('must be a string'), NoControlChars, v.trim(), v.maxLength(CONTACT_LIMITS.name));

// Values are checked by admin against the declared type, so the message names `properties.<key>`.
// Their shape is free here, so their depth is limited before they cross RPC, and a string value
// (stored as given) may not hold a NUL.
const Properties = v.pipe(
  v.unknown(),
  // v.record would take an array as an object keyed '0', '1', …
  v.check(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'properties must be an object of key: value',
  ),
  MaxDepth(),
  v.transform((value) => value as Record<string, unknown>),
  v.check(
    (values) => nulValueKey(values) === undefined,
    (issue) => `the value of ${JSON.stringify(nulValueKey(issue.input))} must not contain NUL characters`,
  ),
);

function nulValueKey(values: Record<string, unknown>): string | undefined {
  return Object.keys(values).find((key) => {
    const value = values[key];
    return typeof value === 'string' && nulAt(value) >= 0;
  });
}

const Id = v.pipe(
  v.string('id must be a string'),
  NoControlChars,
  v.minLength(1, 'id must not be empty'),
  v.maxLength(100),
);

const Subscription = v.picklist(['opt_in', 'opt_out'], "subscription must be 'opt_in' or 'opt_out'");

export const TopicChoice = v.strictObject({ id: Id, subscription: Subscription });
export type TopicChoice = v.InferOutput<typeof TopicChoice>;

// The SDK sends `undefined` for fields left unset (dropped by JSON) and may send null: both mean "not given".
export const CreateContactRequest = v.strictObject({
  email: ContactEmail,
  first_name: v.nullish(Name),
  last_name: v.nullish(Name),
  unsubscribed: v.nullish(v.boolean('unsubscribed must be true or false')),
  properties: v.nullish(Properties),
  /** Segments the new contact joins. */
  segments: v.nullish(
    v.pipe(
      v.array(v.strictObject({ id: Id })),
      v.maxLength(CONTACT_LIMITS.refs, `at most ${CONTACT_LIMITS.refs} segments`),
    ),
  ),
  /** The new contact's explicit topic choices. */
  topics: v.nullish(
    v.pipe(v.array(TopicChoice), v.maxLength(CONTACT_LIMITS.refs, `at most ${CONTACT_LIMITS.refs} topics`)),
  ),
});
export type CreateContactRequest = v.InferOutput<typeof CreateContactRequest>;

/** `null` clears a name; a property set to `null` is removed from the contact. */
export const UpdateContactRequest = v.strictObject({
  first_name: v.nullish(Name),
  last_name: v.nullish(Name),
  unsubscribed: v.nullish(v.boolean('unsubscribed must be true or false')),
  properties: v.nullish(Properties),
});
export type UpdateContactRequest = v.InferOutput<typeof UpdateContactRequest>;

/** PATCH /contacts/:id/topics: the SDK sends the list itself as the body. */
export const UpdateContactTopicsRequest = v.pipe(
  v.array(TopicChoice, 'send a list of { id, subscription }'),
  v.minLength(1, 'send at least one topic'),
  v.maxLength(CONTACT_LIMITS.refs, `at most ${CONTACT_LIMITS.refs} topics`),
);
export type UpdateContactTopicsRequest = v.InferOutput<typeof UpdateContactTopicsRequest>;

/** The body as the gateway checks it, so messages name `topics.<n>.<field>` (the SDK's bare list is wrapped first). */
export const UpdateContactTopicsBody = v.strictObject({ topics: UpdateContactTopicsRequest });

/** Resend's cursor pagination over any audience list; the cursors are ids of that list. */
export const AudienceListQuery = pageQuery(UuidId('an'));
export type AudienceListQuery = v.InferOutput<typeof AudienceListQuery>;

/** A custom property's value as GET /contacts/:id returns it (the SDK's shape). */
export const ContactPropertyValue = v.pipe(
  v.variant('type', [
    v.object({ type: v.literal('string'), value: v.string() }),
    v.object({ type: v.literal('number'), value: v.number() }),
  ]),
  v.description("A custom property's value with its type."),
);
export type ContactPropertyValue = v.InferOutput<typeof ContactPropertyValue>;

/** A contact in lists. */
export const ContactSummary = v.pipe(
  v.object({
    id: v.string(),
    email: v.string(),
    first_name: v.nullable(v.string()),
    last_name: v.nullable(v.string()),
    unsubscribed: v.boolean(),
    created_at: v.string(),
  }),
  v.title('ContactSummary'),
  v.description('A contact as listed, without its properties.'),
);
export type ContactSummary = v.InferOutput<typeof ContactSummary>;

export const ContactObject = v.pipe(
  v.object({
    object: v.literal('contact'),
    ...ContactSummary.entries,
    properties: v.record(v.string(), ContactPropertyValue),
  }),
  v.title('ContactObject'),
  v.description('One contact (one per address per tenant), with its custom properties.'),
);
export type ContactObject = v.InferOutput<typeof ContactObject>;

export const ContactList = v.pipe(
  ListOf(ContactSummary),
  v.title('ContactList'),
  v.description('A page of contacts.'),
);
export type ContactList = v.InferOutput<typeof ContactList>;

export const ContactResponse = ObjectRef('contact');
export type ContactResponse = v.InferOutput<typeof ContactResponse>;

export const DeletedContact = v.pipe(
  v.object({
    object: v.literal('contact'),
    /** The deleted contact's id. */
    contact: v.string(),
    deleted: v.literal(true),
  }),
  v.title('DeletedContact'),
  v.description('A deleted contact: `contact` is its id.'),
);
export type DeletedContact = v.InferOutput<typeof DeletedContact>;

export const ContactSegmentList = v.pipe(
  ListOf(SegmentSummary),
  v.title('ContactSegmentList'),
  v.description('A page of the segments a contact is in.'),
);
export type ContactSegmentList = v.InferOutput<typeof ContactSegmentList>;

/** A topic as one contact sees it: its explicit choice, or the topic's default. */
export const ContactTopicObject = v.pipe(
  v.object({
    id: v.string(),
    name: v.string(),
    description: v.nullable(v.string()),
    subscription: v.picklist(TOPIC_SUBSCRIPTIONS),
  }),
  v.title('ContactTopicObject'),
  v.description("A topic with this contact's subscription: their explicit choice, else the topic's default."),
);
export type ContactTopicObject = v.InferOutput<typeof ContactTopicObject>;

export const ContactTopicList = v.pipe(
  ListOf(ContactTopicObject),
  v.title('ContactTopicList'),
  v.description("A page of topics with one contact's subscriptions."),
);
export type ContactTopicList = v.InferOutput<typeof ContactTopicList>;

/**
 * POST/DELETE /contacts/:id/segments/:segment_id: the SDK's types read `id` (the segment's); Resend's
 * API also answers `object`, `contact_id` and `segment_id`, so both are given.
 */
export const ContactSegmentChange = v.pipe(
  v.object({
    object: v.literal('contact_segment'),
    id: v.string(),
    contact_id: v.string(),
    segment_id: v.string(),
    deleted: v.optional(v.literal(true)),
  }),
  v.title('ContactSegmentChange'),
  v.description("A contact added to or removed from a segment; `id` is the segment's."),
);
export type ContactSegmentChange = v.InferOutput<typeof ContactSegmentChange>;

/**
 * Contacts over RPC. `ref` is a contact's id or email (an email is recognised by its `@`); another
 * tenant's contact, segment or topic is not_found.
 */
export interface ContactsAdminRpc {
  createContact(caller: Caller, input: CreateContactRequest): Promise<RpcResult<ContactResponse>>;
  getContact(caller: Caller, ref: string): Promise<RpcResult<ContactObject>>;
  listContacts(caller: Caller, query: AudienceListQuery): Promise<RpcResult<ContactList>>;
  updateContact(
    caller: Caller,
    ref: string,
    input: UpdateContactRequest,
  ): Promise<RpcResult<ContactResponse>>;
  /** Leaves the address's suppression (if any) in place: suppressions are keyed by address. */
  deleteContact(caller: Caller, ref: string): Promise<RpcResult<DeletedContact>>;
  listContactSegments(
    caller: Caller,
    ref: string,
    query: AudienceListQuery,
  ): Promise<RpcResult<ContactSegmentList>>;
  /** Adding a contact already in the segment changes nothing and succeeds. */
  addContactToSegment(
    caller: Caller,
    ref: string,
    segmentId: string,
  ): Promise<RpcResult<ContactSegmentChange>>;
  removeContactFromSegment(
    caller: Caller,
    ref: string,
    segmentId: string,
  ): Promise<RpcResult<ContactSegmentChange>>;
  /** Every topic of the tenant with this contact's subscription (explicit, else the default). */
  listContactTopics(
    caller: Caller,
    ref: string,
    query: AudienceListQuery,
  ): Promise<RpcResult<ContactTopicList>>;
  updateContactTopics(
    caller: Caller,
    ref: string,
    input: UpdateContactTopicsRequest,
  ): Promise<RpcResult<{ id: string }>>;
}
