// Templates as Resend's Templates API shapes them (create, get, list, update, publish, duplicate,
// delete; a template is addressed by id or alias). Only the shape is checked here: the template
// syntax and the variable declarations are checked by admin with @mailgrid/templates, whose messages
// name the variable at fault.
import * as v from 'valibot';
import { EMAIL_LIMITS } from './emails';
import { pageQuery, UuidId } from './paging';
import { DeletedRef, ListOf, ObjectRef } from './shapes';
import { NoControlChars, NoNul } from './text';

export const TEMPLATE_LIMITS = {
  name: 255,
  alias: 100,
  /** Resend: "Each Template may contain up to 50 variables." */
  variables: 50,
  variable_key: 50,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What may appear where a template is named in a path: its id (a UUID) or its alias. */
export const TEMPLATE_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const Name = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(TEMPLATE_LIMITS.name),
);

// An alias shares the id's place in paths and in `template.id` of a send, so it must not look like an id.
const Alias = v.pipe(
  v.string(),
  v.regex(
    TEMPLATE_REF_PATTERN,
    `an alias is a letter or digit followed by at most ${TEMPLATE_LIMITS.alias - 1} letters, digits, '.', '_' or '-'`,
  ),
  v.check((alias) => !UUID.test(alias), 'an alias must not look like a template id'),
);

const Address = v.pipe(
  v.string(),
  NoControlChars,
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(320),
  v.regex(/^[^\r\n]*$/, 'must not contain line breaks'),
);

const ReplyTo = v.union(
  [Address, v.pipe(v.array(Address), v.maxLength(EMAIL_LIMITS.recipients))],
  'must be an address or a list of addresses',
);

const Subject = v.pipe(v.string(), NoControlChars, v.maxLength(EMAIL_LIMITS.subject));
const Body = v.pipe(v.string(), NoNul, v.maxBytes(EMAIL_LIMITS.body_bytes));

const Variable = v.strictObject({
  key: v.pipe(
    v.string(),
    NoControlChars,
    v.minLength(1, 'must not be empty'),
    v.maxLength(TEMPLATE_LIMITS.variable_key),
  ),
  type: v.picklist(['string', 'number'], "type must be 'string' or 'number'"),
  // Whether the fallback fits the type is checked with the rest of the template, naming the key.
  fallback_value: v.optional(
    v.nullable(v.union([v.pipe(v.string(), NoNul), v.number()], 'must be a string or a number')),
  ),
});

const Variables = v.pipe(
  v.array(Variable),
  v.maxLength(
    TEMPLATE_LIMITS.variables,
    `a template may declare at most ${TEMPLATE_LIMITS.variables} variables`,
  ),
);

// The SDK sends `null` for optional fields left unset, so every optional field also takes null.
export const CreateTemplateRequest = v.strictObject({
  name: Name,
  html: Body,
  alias: v.nullish(Alias),
  from: v.nullish(Address),
  subject: v.nullish(Subject),
  reply_to: v.nullish(ReplyTo),
  text: v.nullish(Body),
  variables: v.nullish(Variables),
});
export type CreateTemplateRequest = v.InferOutput<typeof CreateTemplateRequest>;

/** Changes the draft only; sends keep the published version until the next publish. `null` clears a field. */
export const UpdateTemplateRequest = v.strictObject({
  name: v.optional(Name),
  html: v.optional(Body),
  alias: v.nullish(Alias),
  from: v.nullish(Address),
  subject: v.nullish(Subject),
  reply_to: v.nullish(ReplyTo),
  text: v.nullish(Body),
  variables: v.nullish(Variables),
});
export type UpdateTemplateRequest = v.InferOutput<typeof UpdateTemplateRequest>;

export const ListTemplatesQuery = pageQuery(UuidId('a template'));
export type ListTemplatesQuery = v.InferOutput<typeof ListTemplatesQuery>;

export const TEMPLATE_STATUSES = ['draft', 'published'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

/** A declared variable as stored and returned: no fallback is `null`. */
export const TemplateVariableObject = v.pipe(
  v.object({
    key: v.string(),
    type: v.picklist(['string', 'number']),
    fallback_value: v.nullable(v.union([v.string(), v.number()])),
  }),
  v.title('TemplateVariableObject'),
  v.description('A variable the template declares, with its type and fallback (null: none).'),
);
export type TemplateVariableObject = v.InferOutput<typeof TemplateVariableObject>;

/** GET /templates/:id: the draft, with where publishing stands. */
export const TemplateObject = v.pipe(
  v.object({
    object: v.literal('template'),
    id: v.string(),
    name: v.string(),
    alias: v.nullable(v.string()),
    /** `published` once published, even while the draft has changed since (see has_unpublished_versions). */
    status: v.picklist(TEMPLATE_STATUSES),
    from: v.nullable(v.string()),
    subject: v.nullable(v.string()),
    reply_to: v.nullable(v.array(v.string())),
    html: v.string(),
    text: v.nullable(v.string()),
    variables: v.array(TemplateVariableObject),
    published_at: v.nullable(v.string()),
    /** The draft differs from what sends use: publish to make them use it. */
    has_unpublished_versions: v.boolean(),
    /**
     * Resend's template versioning: the version being edited. Publishing records it as the version
     * sends use; the first edit after that starts a new one.
     */
    current_version_id: v.string(),
    created_at: v.string(),
    updated_at: v.string(),
  }),
  v.title('TemplateObject'),
  v.description("A template's draft, with where publishing stands."),
);
export type TemplateObject = v.InferOutput<typeof TemplateObject>;

export const TemplateSummary = v.pipe(
  v.pick(v.object(TemplateObject.entries), [
    'id',
    'name',
    'alias',
    'status',
    'published_at',
    'created_at',
    'updated_at',
  ]),
  v.title('TemplateSummary'),
  v.description('A template as listed, without its content.'),
);
export type TemplateSummary = v.InferOutput<typeof TemplateSummary>;

export const TemplateList = v.pipe(
  ListOf(TemplateSummary),
  v.title('TemplateList'),
  v.description('A page of templates.'),
);
export type TemplateList = v.InferOutput<typeof TemplateList>;

/** What create, update, publish and duplicate answer. */
export const TemplateResponse = ObjectRef('template');
export type TemplateResponse = v.InferOutput<typeof TemplateResponse>;

export const DeletedTemplate = DeletedRef('template');
export type DeletedTemplate = v.InferOutput<typeof DeletedTemplate>;

/**
 * What a send renders, stored as JSON in `templates.published`: a copy of the draft's fields taken at
 * publish time. `from` and `reply_to` (the JSON list as stored) are the send's defaults; copies
 * published before they were recorded lack them.
 */
export interface PublishedTemplate {
  subject: string;
  html: string;
  text: string | null;
  variables: TemplateVariableObject[];
  from?: string | null;
  reply_to?: string | null;
  /** The template's current_version_id when it was published. */
  version_id?: string | null;
}
