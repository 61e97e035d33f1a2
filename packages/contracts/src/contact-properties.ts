// Resend's Contact Properties: the custom fields a tenant's contacts may carry, each with a type
// (string or number) and an optional fallback used where a contact has no value. Only the fallback
// can change after creation.
import * as v from 'valibot';
import type { Caller } from './caller';
import type { AudienceListQuery } from './contacts';
import type { RpcResult } from './rpc-result';
import { DeletedRef, ListOf, ObjectRef } from './shapes';
import { NoNul } from './text';

export const CONTACT_PROPERTY_KEY = /^[A-Za-z0-9_]{1,50}$/;

/** Keys a contact already has as fields, so a property cannot take them. */
export const RESERVED_PROPERTY_KEYS = ['email', 'first_name', 'last_name', 'unsubscribed'] as const;

export const CONTACT_PROPERTY_TYPES = ['string', 'number'] as const;
export type ContactPropertyType = (typeof CONTACT_PROPERTY_TYPES)[number];

const FallbackValue = v.nullish(
  v.union(
    [v.pipe(v.string(), NoNul, v.maxLength(2000)), v.pipe(v.number(), v.finite())],
    'fallback_value must be a string or a number',
  ),
);

export const CreateContactPropertyRequest = v.strictObject({
  key: v.pipe(
    v.string('key must be a string'),
    v.regex(CONTACT_PROPERTY_KEY, 'key must be 1 to 50 letters, digits or underscores'),
    v.check(
      (key) => !(RESERVED_PROPERTY_KEYS as readonly string[]).includes(key.toLowerCase()),
      `key must not be one of ${RESERVED_PROPERTY_KEYS.join(', ')} (contacts have them as fields)`,
    ),
  ),
  type: v.picklist(['string', 'number'], "type must be 'string' or 'number'"),
  // Whether it fits `type` is checked by admin, naming the field.
  fallback_value: FallbackValue,
});
export type CreateContactPropertyRequest = v.InferOutput<typeof CreateContactPropertyRequest>;

const Fixed = (field: string) =>
  v.optional(v.never(`${field} cannot be changed; create a new property and delete this one`));

export const UpdateContactPropertyRequest = v.strictObject({
  fallback_value: FallbackValue,
  key: Fixed('key'),
  type: Fixed('type'),
});
export type UpdateContactPropertyRequest = v.InferOutput<typeof UpdateContactPropertyRequest>;

export const ContactPropertySummary = v.pipe(
  v.object({
    id: v.string(),
    key: v.string(),
    type: v.picklist(CONTACT_PROPERTY_TYPES),
    fallback_value: v.nullable(v.union([v.string(), v.number()])),
    created_at: v.string(),
  }),
  v.title('ContactPropertySummary'),
  v.description('A contact property as listed.'),
);
export type ContactPropertySummary = v.InferOutput<typeof ContactPropertySummary>;

export const ContactPropertyObject = v.pipe(
  v.object({ object: v.literal('contact_property'), ...ContactPropertySummary.entries }),
  v.title('ContactPropertyObject'),
  v.description('A custom contact field: its key, type and fallback value.'),
);
export type ContactPropertyObject = v.InferOutput<typeof ContactPropertyObject>;

export const ContactPropertyList = v.pipe(
  ListOf(ContactPropertySummary),
  v.title('ContactPropertyList'),
  v.description('A page of contact properties.'),
);
export type ContactPropertyList = v.InferOutput<typeof ContactPropertyList>;

export const ContactPropertyResponse = ObjectRef('contact_property');
export type ContactPropertyResponse = v.InferOutput<typeof ContactPropertyResponse>;

export const DeletedContactProperty = DeletedRef('contact_property');
export type DeletedContactProperty = v.InferOutput<typeof DeletedContactProperty>;

/** Contact properties over RPC; another tenant's property is not_found. */
export interface ContactPropertiesAdminRpc {
  createContactProperty(
    caller: Caller,
    input: CreateContactPropertyRequest,
  ): Promise<RpcResult<ContactPropertyResponse>>;
  listContactProperties(caller: Caller, query: AudienceListQuery): Promise<RpcResult<ContactPropertyList>>;
  getContactProperty(caller: Caller, id: string): Promise<RpcResult<ContactPropertyObject>>;
  updateContactProperty(
    caller: Caller,
    id: string,
    input: UpdateContactPropertyRequest,
  ): Promise<RpcResult<ContactPropertyResponse>>;
  /** Also removes the key's values from every contact of the tenant. */
  deleteContactProperty(caller: Caller, id: string): Promise<RpcResult<DeletedContactProperty>>;
}
