// Path parameter rules. Every `:name` in a route's path has one; the generic runner applies it before
// any peer is asked, so a malformed id gets the same 422 on every route, naming what was expected.
import { AppError, TEMPLATE_REF_PATTERN, UUID_PATTERN } from '@mailgrid/contracts';

export interface ParamRule {
  /** What the parameter must be, for the error message and the OpenAPI document: "a domain id (a UUID)". */
  expects: string;
  /** The OpenAPI schema of the decoded value. */
  schema: { type: 'string'; format?: string; pattern?: string; maxLength?: number };
  /** The decoded value as the RPC gets it (e.g. a UUID lower-cased), or null when it is malformed. */
  parse(decoded: string): string | null;
}

export const uuid = (noun: string): ParamRule => ({
  expects: `${noun} id (a UUID)`,
  schema: { type: 'string', format: 'uuid' },
  parse: (value) => (UUID_PATTERN.test(value) ? value.toLowerCase() : null),
});

const matching = (expects: string, pattern: RegExp, maxLength: number): ParamRule => ({
  expects,
  schema: { type: 'string', pattern: pattern.source, maxLength },
  parse: (value) => (value.length <= maxLength && pattern.test(value) ? value : null),
});

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/** An address, percent-encoded in the path (`+` and `@` may be escaped). */
export const email = (noun: string): ParamRule => ({
  ...matching(`${noun} (an email address)`, EMAIL, 320),
  schema: { type: 'string', format: 'email', maxLength: 320 },
});

/** A contact is named by its id or its address (Resend's contacts API takes either). */
export const contactRef: ParamRule = {
  expects: 'a contact id (a UUID) or a contact email address',
  schema: { type: 'string', maxLength: 320 },
  parse: (value) => uuid('').parse(value) ?? email('').parse(value),
};

/** A suppression is named by its id or its address (Resend's suppressions API takes either). */
export const suppressionRef: ParamRule = {
  expects: 'a suppression id (a UUID) or a suppressed email address',
  schema: { type: 'string', maxLength: 320 },
  parse: (value) => uuid('').parse(value) ?? email('').parse(value),
};

/** A template by id or alias. */
export const templateRef = matching('a template id or alias', TEMPLATE_REF_PATTERN, 100);

/** A tenant by id or slug (the operator's routes). */
export const tenantRef: ParamRule = {
  expects: 'a tenant id (a UUID) or slug',
  schema: { type: 'string', maxLength: 64 },
  parse: (value) => uuid('').parse(value) ?? (/^[a-z0-9][a-z0-9-]{0,62}$/.test(value) ? value : null),
};

export const streamId = matching('a stream id (a slug of a-z, 0-9 and -)', /^[a-z0-9-]{1,64}$/, 64);

/** A customer-webhook delivery, named as Standard Webhooks' `webhook-id`. */
export const deliveryId = matching('a delivery id (msg_ and 32 hex digits)', /^msg_[0-9a-f]{32}$/, 36);

/** The decoded, checked value of one path parameter; anything malformed is the same 422. */
export function parseParam(name: string, raw: string | undefined, rule: ParamRule): string {
  let decoded: string | null = null;
  try {
    decoded = decodeURIComponent(raw ?? '');
  } catch {
    // A malformed escape is a malformed id like any other.
  }
  const value = decoded === null || decoded.trim() === '' ? null : rule.parse(decoded);
  if (value === null) {
    throw new AppError('invalid_parameter', `Path parameter ${name} must be ${rule.expects}.`);
  }
  return value;
}
