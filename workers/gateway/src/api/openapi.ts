// The OpenAPI 3.1 document, generated from the route table: each route's path parameters, query,
// body and response become an operation, its permission a security requirement, and the errors it
// can answer the shared ErrorEnvelope. Valibot schemas with a title (`v.title('EmailObject')`) become
// named components; everything else is inlined. The customer webhooks' events are `webhooks`.
// Built on the first request for it and kept for the isolate's life.
import {
  ERROR_STATUS,
  ErrorEnvelope,
  PAGE_LIMIT,
  UUID_PATTERN,
  WEBHOOK_EVENT_TYPES,
  WebhookEventPayload,
} from '@mailgrid/contracts';
import {
  type ConversionConfig,
  type JsonSchema,
  toJsonSchema,
  toJsonSchemaDefs,
} from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { Permission, Route } from './route';
import { routes } from './table';

export const OPENAPI_VERSION = '3.1.1';
export const API_VERSION = '1.0.0';

type Json = Record<string, unknown>;
type Schema = v.GenericSchema;
/** Requests are documented as the client sends them (before transforms), answers as they are sent. */
type Mode = 'input' | 'output';

let cached: Json | undefined;

/** The document for the gateway's routes, built once per isolate. */
export function openApiDocument(): Json {
  cached ??= buildOpenApi(routes);
  return cached;
}

const API_KEY_PERMISSIONS: readonly Permission[] = ['sending_access', 'full_access'];

const PERMISSION_TEXT: Record<Permission, string> = {
  sending_access: 'Any API key (sending or full access), or a signed-in user.',
  full_access: 'A full-access API key, or a signed-in user.',
  identity: "A signed-in user's JWT; the user need not be a member yet.",
  operator: "The platform operator's secret.",
  public: 'No credential.',
};

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad request: the body is not JSON, or not the shape this operation takes, or a header is malformed.',
  401: 'No credential, or one that cannot be authenticated (unknown, revoked, expired).',
  403: 'The credential is valid but may not do this (its permission, role or domain), or the account is suspended or paused.',
  404: 'No such resource in this account.',
  405: 'The path exists but not with this method; `allow` lists the methods it takes.',
  409: 'The request clashes with another: the same Idempotency-Key with another body or still in flight, or a name already taken.',
  413: 'The request body is larger than the gateway takes.',
  415: 'The request body is not of a media type this operation takes.',
  422: 'A path parameter, query parameter or body field is missing or invalid; the message names it.',
  429: "Too many requests for the account's rate limit, or the daily sending quota is used up; `retry-after` says when to retry.",
  500: 'Something went wrong on our side. Quote the request id if you report it.',
  503: 'A service behind the gateway is unavailable; retry later.',
};

const WEBHOOK_TEXT: Record<string, string> = {
  'email.sent': 'The email was handed to Amazon SES for delivery.',
  'email.delivered': "The recipient's mail server accepted the email.",
  'email.delivery_delayed': "Delivery is delayed (the recipient's server deferred it); SES keeps trying.",
  'email.bounced': "The recipient's server refused the email; `data.bounce` says how.",
  'email.complained': 'The recipient reported the email as spam.',
  'email.opened': 'The recipient opened the email (its tracking pixel loaded).',
  'email.clicked': 'The recipient clicked a tracked link; `data.click` says which.',
  'email.failed': 'The email could not be sent; `data.failed.reason` says why.',
  'email.unsubscribed':
    "The recipient unsubscribed, by Mailgrid's unsubscribe link or one-click List-Unsubscribe.",
};

const DESCRIPTION = [
  "Mailgrid speaks Resend's API: the same paths (under `/api`), bodies and answers, so Resend's SDKs work against it, plus Mailgrid's own operations.",
  '',
  "**Authentication.** `Authorization: Bearer mg_<env>_…` with an API key, or a signed-in user's JWT. Sending-access keys may only send; management needs full access.",
  '',
  '**Errors** are one JSON shape (`ErrorEnvelope`): `statusCode`, `name` (a stable code), `message` and `request_id`, which every response also carries as `x-request-id`.',
  '',
  '**Lists** page with `limit` (1–100, default 20) and at most one of `after` or `before`, each the id of an item of that list; `has_more` says whether another page follows.',
  '',
  '**Rate limits** are per account; every keyed answer carries `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset`, and a 429 carries `retry-after`.',
].join('\n');

/** Builds the document; exported for tests that build it for a table of their own. */
export function buildOpenApi(table: readonly Route[]): Json {
  const registry = new SchemaRegistry();
  const paths: Record<string, Record<string, Json>> = {};
  // The API's resources first, in the table's order; the gateway's own routes (health, the SNS
  // intake, this document and its page) after them.
  const tags = new Set<string>(table.filter(isResource).map(tagOf));
  for (const route of table) {
    const tag = tagOf(route);
    tags.add(tag);
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, tag, registry);
  }
  const webhooks: Record<string, Json> = {};
  for (const type of WEBHOOK_EVENT_TYPES) webhooks[type] = { post: webhookOperation(type, registry) };
  const errorEnvelope = registry.schema(ErrorEnvelope, 'output');

  const document: Json = {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Mailgrid',
      version: API_VERSION,
      summary: "Email sending on Cloudflare Workers, with Resend's API.",
      description: DESCRIPTION,
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/', description: 'This gateway' }],
    tags: [...tags].map((name) => ({ name })),
    paths,
    webhooks,
    components: {
      schemas: registry.components(),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'mg_<env>_<key> API key, or a JWT',
          description:
            "An API key (`Authorization: Bearer mg_<env>_…`), or a signed-in user's JWT (their role applies).",
        },
        operator: {
          type: 'http',
          scheme: 'bearer',
          description: "The platform operator's secret (OPERATOR_SECRET) as a bearer token.",
        },
      },
      headers: {
        'x-request-id': {
          description: "The request's id: the caller's `x-request-id` if it sent one, else a new UUID.",
          schema: { type: 'string' },
        },
        'ratelimit-limit': {
          description: "The size of the account's request bucket.",
          schema: { type: 'integer', minimum: 0 },
        },
        'ratelimit-remaining': {
          description: 'Requests left in the bucket after this one.',
          schema: { type: 'integer', minimum: 0 },
        },
        'ratelimit-reset': {
          description: 'Seconds until the bucket is full again.',
          schema: { type: 'integer', minimum: 0 },
        },
        'retry-after': {
          description: 'Seconds to wait before retrying.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
      responses: Object.fromEntries(
        ERROR_STATUSES.map((status) => [errorName(status), errorResponse(status, errorEnvelope)]),
      ),
    },
  };
  return dedupeComponents(document);
}

// --- operations -----------------------------------------------------------------------------------

function operation(route: Route, tag: string, registry: SchemaRegistry): Json {
  const permission = route.permission ?? 'full_access';
  const keyed = API_KEY_PERMISSIONS.includes(permission);
  const description = [route.description, `**Credential:** ${PERMISSION_TEXT[permission]}`]
    .filter(Boolean)
    .join('\n\n');
  const op: Json = {
    operationId: route.operationId,
    summary: route.summary,
    description,
    tags: [tag],
    security: securityOf(permission),
    // Machine-readable for clients that sort operations by what they need (the mesh's permission
    // sweep, a dashboard hiding what a key cannot do).
    'x-mailgrid-permission': permission,
  };
  if (route.deprecated) op.deprecated = true;
  const parameters = [
    ...pathParameters(route),
    ...queryParameters(route, registry),
    ...headerParameters(route),
  ];
  if (parameters.length) op.parameters = parameters;
  const body = requestBody(route, registry);
  if (body) op.requestBody = body;

  const status = route.status ?? 200;
  const headers: Json = { 'x-request-id': { $ref: '#/components/headers/x-request-id' } };
  if (keyed) {
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) {
      headers[name] = { $ref: `#/components/headers/${name}` };
    }
  }
  const responseSchema = registry.schema(route.response, 'output');
  const success: Json = {
    description: describe(responseSchema) ?? STATUS_TEXT[status] ?? 'Success',
    headers,
  };
  if (status !== 204) success.content = { [mediaTypeOf(responseSchema)]: { schema: responseSchema } };
  const responses: Json = { [String(status)]: success };
  for (const error of errorsOf(route, permission)) {
    responses[String(error)] = { $ref: `#/components/responses/${errorName(error)}` };
  }
  op.responses = responses;
  return op;
}

function securityOf(permission: Permission): Json[] {
  if (permission === 'public') return [];
  if (permission === 'operator') return [{ operator: [] }];
  return [{ bearer: [] }];
}

/** The statuses a route can answer with an error, from what it takes and who may call it. */
function errorsOf(route: Route, permission: Permission): number[] {
  const errors = new Set<number>();
  const hasBody = Boolean(route.body || route.accepts);
  if (API_KEY_PERMISSIONS.includes(permission) || permission === 'identity') {
    errors.add(401).add(403);
  }
  if (permission === 'operator') errors.add(401);
  if (hasBody) errors.add(400).add(413).add(415).add(422);
  if (route.idempotent) errors.add(400).add(409);
  if (route.params && Object.keys(route.params).length) errors.add(404).add(422);
  if (route.query) errors.add(422);
  if (API_KEY_PERMISSIONS.includes(permission)) errors.add(429);
  errors.add(500);
  return [...errors].sort((a, b) => a - b);
}

function pathParameters(route: Route): Json[] {
  return pathParamNames(route.path).map((name) => {
    const rule = route.params?.[name];
    return {
      name,
      in: 'path',
      required: true,
      description: rule ? sentence(rule.expects) : undefined,
      schema: rule ? { ...rule.schema } : { type: 'string' },
    };
  });
}

function queryParameters(route: Route, registry: SchemaRegistry): Json[] {
  if (!route.query) return [];
  const object = unwrap(route.query);
  const entries = (object as { entries?: Record<string, Schema> }).entries;
  if (!entries) return [];
  return Object.entries(entries).map(([name, entry]) => {
    const schema = queryParamSchema(entry, registry);
    const own = schema.description as string | undefined;
    delete schema.description;
    const description = [pagingText(name, schema), own].filter(Boolean).join(' ');
    return {
      name,
      in: 'query',
      required: !isOptional(entry),
      ...(description ? { description } : {}),
      schema,
    };
  });
}

/** What Resend's paging parameters mean (pageQuery in packages/contracts); nothing for a list's filters. */
function pagingText(name: string, schema: Json): string | undefined {
  if (name === 'limit') {
    const { minimum = PAGE_LIMIT.min, maximum = PAGE_LIMIT.max, default: fallback } = schema;
    return `How many items to answer: ${minimum} to ${maximum}${fallback === undefined ? '' : ` (default ${fallback})`}.`;
  }
  if (name === 'after') {
    return 'Cursor: the id of an item of this list; answers the items after it (older). Not with `before`.';
  }
  if (name === 'before') {
    return 'Cursor: the id of an item of this list; answers the items before it (newer). Not with `after`.';
  }
  return undefined;
}

/**
 * A query value is a string on the wire; one the schema turns into a number (`limit`) is documented
 * as the integer it must spell, with its bounds and default.
 */
function queryParamSchema(entry: Schema, registry: SchemaRegistry): Json {
  const { wrapped, fallback } = unwrapOptional(entry);
  const pipe = flattenPipe(wrapped);
  const transform = pipe.findIndex((item) => item.kind === 'transformation' && item.type === 'transform');
  const bounds = pipe
    .slice(transform + 1)
    .filter((item) => item.type === 'min_value' || item.type === 'max_value');
  if (transform >= 0 && bounds.length) {
    const schema: Json = { type: 'integer' };
    for (const item of bounds) {
      schema[item.type === 'min_value' ? 'minimum' : 'maximum'] = item.requirement;
    }
    if (fallback !== undefined) schema.default = Number(fallback);
    const description = pipe.find((item) => item.type === 'description') as
      | { description?: string }
      | undefined;
    if (description?.description) schema.description = description.description;
    return schema;
  }
  return registry.schema(entry, 'input');
}

function headerParameters(route: Route): Json[] {
  const headers: Json[] = [];
  if (route.idempotent) {
    headers.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes a retry safe: the same key with the same body within 24 hours gets the first response again instead of sending twice; the same key with another body, or while the first request is still running, is a 409.',
      schema: { type: 'string', minLength: 1, maxLength: 256 },
    });
  }
  for (const header of route.headers ?? []) {
    headers.push({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: header.schema,
    });
  }
  return headers;
}

function requestBody(route: Route, registry: SchemaRegistry): Json | undefined {
  const content: Record<string, Json> = {};
  if (route.body) content['application/json'] = { schema: registry.schema(route.body, 'input') };
  for (const [mediaType, accepted] of Object.entries(route.accepts ?? {})) {
    const schema = isValibot(accepted.schema)
      ? registry.schema(accepted.schema, 'input')
      : { ...accepted.schema };
    content[mediaType] = { schema, ...(accepted.description ? { description: accepted.description } : {}) };
  }
  if (!Object.keys(content).length) return undefined;
  const descriptions = Object.values(content)
    .map((media) => media.description as string | undefined)
    .filter(Boolean);
  for (const media of Object.values(content)) delete media.description;
  return {
    required: !route.bodyOptional,
    ...(descriptions.length ? { description: descriptions.join(' ') } : {}),
    content,
  };
}

function webhookOperation(type: string, registry: SchemaRegistry): Json {
  return {
    operationId: `webhook/${type.replace(/[._]/g, '-')}`,
    summary: type,
    description: `${WEBHOOK_TEXT[type] ?? `Mailgrid's \`${type}\` event.`}\n\nPOSTed to every enabled webhook that subscribed to \`${type}\`, signed per Standard Webhooks: verify \`webhook-signature\` over \`<webhook-id>.<webhook-timestamp>.<body>\` with the webhook's signing secret before trusting the body.`,
    tags: ['webhook events'],
    security: [],
    parameters: [
      {
        name: 'webhook-id',
        in: 'header',
        required: true,
        description:
          "The delivery's id (`msg_` and 32 hex digits); the same on every retry, so it de-duplicates.",
        schema: { type: 'string', pattern: '^msg_[0-9a-f]{32}$' },
      },
      {
        name: 'webhook-timestamp',
        in: 'header',
        required: true,
        description:
          'When this attempt was signed, in seconds since the Unix epoch; refuse old ones to stop replays.',
        schema: { type: 'string', pattern: '^[0-9]+$' },
      },
      {
        name: 'webhook-signature',
        in: 'header',
        required: true,
        description:
          '`v1,` and the base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the bytes of the signing secret after `whsec_`. For 24 hours after a secret rotation, two such signatures separated by a space: one by the new secret and one by the previous one.',
        schema: { type: 'string', pattern: '^v1,' },
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            allOf: [
              registry.schema(WebhookEventPayload, 'output'),
              { type: 'object', properties: { type: { const: type } } },
            ],
          },
        },
      },
    },
    responses: {
      '2XX': { description: 'Any 2xx acknowledges the delivery.' },
      '410': { description: 'Gone: Mailgrid disables the webhook and stops delivering to it.' },
      default: {
        description:
          'Anything else, or no answer within 15 s, is retried with growing delays (seconds at first, hours at last) until the retries run out and the delivery is failed.',
      },
    },
  };
}

// --- errors -----------------------------------------------------------------------------------

const ERROR_STATUSES = [...new Set<number>(Object.values(ERROR_STATUS))].sort((a, b) => a - b);

function errorName(status: number): string {
  return `Error${status}`;
}

function errorResponse(status: number, envelope: Json): Json {
  const codes = Object.entries(ERROR_STATUS)
    .filter(([, codeStatus]) => codeStatus === status)
    .map(([code]) => `\`${code}\``);
  const headers: Json = { 'x-request-id': { $ref: '#/components/headers/x-request-id' } };
  if (status === 429) {
    for (const name of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after']) {
      headers[name] = { $ref: `#/components/headers/${name}` };
    }
  }
  if (status === 405)
    headers.allow = { description: 'The methods the path takes.', schema: { type: 'string' } };
  return {
    description: `${STATUS_TEXT[status] ?? 'Error.'}${codes.length ? ` Codes: ${codes.join(', ')}.` : ''}`,
    headers,
    content: { 'application/json': { schema: envelope } },
  };
}

// --- schemas ----------------------------------------------------------------------------------

/**
 * Converts valibot schemas to JSON Schema (2020-12, OpenAPI 3.1's dialect). Every schema with a title
 * becomes `#/components/schemas/<title>` (a second, different schema with the same title gets a
 * number); a titled schema used in requests whose input form differs from its output form gets an
 * `…Input` component of its own.
 */
class SchemaRegistry {
  /** Titled schema → its component name. */
  private readonly names = new Map<Schema, string>();
  private readonly taken = new Set<string>();
  /** Per mode: the titled schemas used that way (by component name). */
  private readonly used: Record<Mode, Map<string, Schema>> = { input: new Map(), output: new Map() };
  private readonly reachable = new Map<Schema, Set<Schema>>();

  schema(schema: Schema, mode: Mode): Json {
    const definitions: Record<string, Schema> = {};
    for (const titled of this.titledWithin(schema)) {
      const name = this.nameOf(titled);
      definitions[name] = titled;
      this.used[mode].set(name, titled);
    }
    // A named schema is its component; only the components themselves are converted (once, below).
    if (titleOf(schema) !== undefined) return { $ref: this.refFor(this.nameOf(schema), mode) };
    return clean(toJsonSchema(schema, { ...this.config(mode), definitions }) as Json);
  }

  /**
   * The named components, each converted once per mode it is used in. A schema whose input form
   * differs from its output form (a transform, a default, or a component inside it that differs)
   * gets a second component, `<name>Input`, for the requests that use it.
   */
  components(): Record<string, Json> {
    const output = this.convertAll(this.used.output, 'output');
    const input = this.convertAll(this.used.input, 'input');
    const unmarked = (json: Json) => JSON.stringify(json).replaceAll(INPUT_MARK, '');
    const differs = new Set(
      Object.keys(input).filter(
        (name) => output[name] && unmarked(input[name] as Json) !== unmarked(output[name]),
      ),
    );
    for (let grown = true; grown; ) {
      grown = false;
      for (const [name, json] of Object.entries(input)) {
        if (differs.has(name) || !output[name]) continue;
        const text = JSON.stringify(json);
        if ([...differs].some((other) => text.includes(`/${other}${INPUT_MARK}"`))) {
          differs.add(name);
          grown = true;
        }
      }
    }
    const schemas: Record<string, Json> = { ...output };
    for (const [name, json] of Object.entries(input)) {
      if (!output[name]) schemas[name] = json;
      else if (differs.has(name)) schemas[`${name}Input`] = json;
    }
    return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private refFor(name: string, mode: Mode): string {
    return `#/components/schemas/${name}${mode === 'input' ? INPUT_MARK : ''}`;
  }

  private convertAll(used: Map<string, Schema>, mode: Mode): Record<string, Json> {
    // Converting may reach titled schemas not yet used at the top level of this mode: add them too.
    const all: Record<string, Schema> = {};
    const queue = [...used.values()];
    while (queue.length) {
      const schema = queue.pop() as Schema;
      const name = this.nameOf(schema);
      if (all[name]) continue;
      all[name] = schema;
      used.set(name, schema);
      queue.push(...this.titledWithin(schema));
    }
    const converted = toJsonSchemaDefs(all, this.config(mode)) as Record<string, Json>;
    return Object.fromEntries(Object.entries(converted).map(([name, json]) => [name, clean(json)]));
  }

  private config(mode: Mode): ConversionConfig {
    return {
      target: 'draft-2020-12',
      typeMode: mode,
      errorMode: 'ignore',
      overrideRef: ({ referenceId }) => this.refFor(referenceId, mode),
      overrideAction: ({ valibotAction, jsonSchema }) => {
        // A case-insensitive pattern has no JSON Schema form: a UUID is `format: uuid`; others are left out.
        const action = valibotAction as { type: string; requirement?: unknown };
        if (action.type !== 'regex' || !(action.requirement instanceof RegExp) || !action.requirement.flags) {
          return undefined;
        }
        const { pattern: _pattern, ...rest } = jsonSchema;
        return action.requirement.source === UUID_PATTERN.source ? { ...rest, format: 'uuid' } : rest;
      },
    };
  }

  private nameOf(schema: Schema): string {
    const known = this.names.get(schema);
    if (known) return known;
    const title = (titleOf(schema) ?? 'Schema').replace(/[^A-Za-z0-9._-]/g, '');
    let name = title;
    for (let n = 2; this.taken.has(name); n++) name = `${title}${n}`;
    this.names.set(schema, name);
    this.taken.add(name);
    return name;
  }

  /** The titled schemas a schema contains (itself included), down to and including the next titled ones. */
  private titledWithin(schema: Schema): Set<Schema> {
    const known = this.reachable.get(schema);
    if (known) return known;
    const found = new Set<Schema>();
    const seen = new Set<unknown>();
    const visit = (node: Schema) => {
      if (seen.has(node)) return;
      seen.add(node);
      if (titleOf(node) !== undefined) found.add(node);
      for (const child of childrenOf(node)) visit(child);
    };
    visit(schema);
    this.reachable.set(schema, found);
    return found;
  }
}

/** Marks a reference made in input mode until components() knows whether an …Input form exists. */
const INPUT_MARK = '#input';

function titleOf(schema: Schema): string | undefined {
  if (!('pipe' in schema)) return undefined;
  let title: string | undefined;
  for (const item of (schema as { pipe: readonly PipeItem[] }).pipe) {
    if (item.type === 'title') title = item.title as string;
    if (item.type === 'metadata') {
      const metadata = item.metadata as { title?: unknown };
      if (typeof metadata.title === 'string') title = metadata.title;
    }
  }
  return title;
}

interface PipeItem {
  kind: string;
  type: string;
  [key: string]: unknown;
}

function childrenOf(schema: Schema): Schema[] {
  const node = schema as unknown as Record<string, unknown>;
  const children: unknown[] = [];
  if (Array.isArray(node.pipe)) children.push(...node.pipe);
  if (node.entries && typeof node.entries === 'object') children.push(...Object.values(node.entries));
  for (const key of ['item', 'wrapped', 'rest', 'key', 'value']) if (node[key]) children.push(node[key]);
  for (const key of ['items', 'options'])
    if (Array.isArray(node[key])) children.push(...(node[key] as unknown[]));
  return children.filter(isValibot);
}

function isValibot(value: unknown): value is Schema {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'schema' &&
    '~standard' in value
  );
}

function flattenPipe(schema: Schema): PipeItem[] {
  if (!('pipe' in schema)) return [schema as unknown as PipeItem];
  return (schema as { pipe: readonly PipeItem[] }).pipe.flatMap((item) =>
    'pipe' in item ? flattenPipe(item as unknown as Schema) : [item],
  );
}

/** A pipe's first schema: the object a list query's `v.pipe(v.object(…), v.check(…))` wraps. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  while ('pipe' in current) current = (current as { pipe: readonly Schema[] }).pipe[0] as Schema;
  return current;
}

function unwrapOptional(schema: Schema): { wrapped: Schema; fallback: unknown } {
  const node = schema as unknown as { type: string; wrapped?: Schema; default?: unknown };
  if (isOptional(schema) && node.wrapped) {
    return {
      wrapped: node.wrapped,
      fallback: typeof node.default === 'function' ? node.default() : node.default,
    };
  }
  return { wrapped: schema, fallback: undefined };
}

function isOptional(schema: Schema): boolean {
  return ['optional', 'exact_optional', 'nullish', 'undefinedable'].includes(schema.type);
}

/** Drops what an embedded schema must not carry: its own `$schema`, and `$defs` now in components. */
function clean(json: Json): Json {
  const { $schema: _schema, $defs: _defs, ...rest } = json as JsonSchema & Json;
  return rest as Json;
}

/** The schema's own description, for a response's (required) description. */
function describe(schema: Json): string | undefined {
  return typeof schema.description === 'string' ? schema.description : undefined;
}

/** A string answer that names its media type (`v.metadata({ contentMediaType })`) is served as that. */
function mediaTypeOf(schema: Json): string {
  return schema.type === 'string' && typeof schema.contentMediaType === 'string'
    ? schema.contentMediaType
    : 'application/json';
}

// --- paths and names --------------------------------------------------------------------------

const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

export function openApiPath(path: string): string {
  return path.replace(PARAM, '{$1}');
}

function pathParamNames(path: string): string[] {
  return [...path.matchAll(PARAM)].map((match) => match[1] as string);
}

function isResource(route: Route): boolean {
  return route.path.startsWith('/api/') && route.permission !== 'public';
}

function tagOf(route: Route): string {
  return route.operationId.split('/')[0] ?? 'other';
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return `${trimmed[0]?.toUpperCase() ?? ''}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

/**
 * Final pass: input-mode references point at their `…Input` component where one exists; a numbered
 * component identical to the first of its title is folded into it.
 */
function dedupeComponents(document: Json): Json {
  const schemas = (document.components as { schemas: Record<string, Json> }).schemas;
  const holders: { $ref: string }[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) collect(item);
    else if (value && typeof value === 'object') {
      const node = value as { $ref?: unknown; type?: unknown; required?: unknown };
      if (typeof node.$ref === 'string') holders.push(value as { $ref: string });
      // valibot's objects without required keys say `required: []`; say nothing instead.
      if (node.type === 'object' && Array.isArray(node.required) && !node.required.length)
        delete node.required;
      for (const child of Object.values(value)) collect(child);
    }
  };
  collect(document);
  const prefix = '#/components/schemas/';
  for (const holder of holders) {
    if (!holder.$ref.endsWith(INPUT_MARK)) continue;
    const name = holder.$ref.slice(prefix.length, -INPUT_MARK.length);
    holder.$ref = `${prefix}${schemas[`${name}Input`] ? `${name}Input` : name}`;
  }
  for (;;) {
    const folds = new Map<string, string>();
    for (const name of Object.keys(schemas)) {
      const base = /^(.*?)\d+$/.exec(name)?.[1];
      if (base && schemas[base] && JSON.stringify(schemas[base]) === JSON.stringify(schemas[name])) {
        folds.set(name, base);
      }
    }
    if (!folds.size) return document;
    for (const name of folds.keys()) delete schemas[name];
    for (const holder of holders) {
      const target = folds.get(holder.$ref.slice(prefix.length));
      if (target && holder.$ref.startsWith(prefix)) holder.$ref = `${prefix}${target}`;
    }
  }
}
