// The bad-input corpus, swept over every route of the table: what a careless or hostile client sends
// (wrong JSON types for each body field, oversize strings, control characters and NUL, odd unicode,
// deep nesting, arrays for objects and objects for arrays, malformed path ids, cursors and limits,
// wrong content types, invalid UTF-8, empty bodies). Every case must be a 4xx in the error envelope,
// never a 5xx, and nothing may be written: the peers are recording stubs and no RPC may be made.
//
// Body cases are generated from each route's body schema (its fields, their types and limits), so a
// route joins the corpus by being in the table. A valid example body per route (EXAMPLES) makes
// each case change one thing only; the first test proves each example is accepted.
import { ERROR_CODES, JSON_LIMITS, type RateLimitDecision, type RateLimitRule } from '@mailgrid/contracts';
import { seedTenant } from '@mailgrid/testing/fixtures';
import { SignJWT } from 'jose';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHODS, type Route } from '../src/api/route';
import { routes } from '../src/api/table';
import type { Env } from '../src/env';
import { call, realEnv, recordingPeers, uniqueSlug } from './helpers';

const OPERATOR_SECRET = 'bad-input-operator-secret';
const JWT_SECRET = 'bad-input-hs256-secret-at-least-32-bytes-long';

/**
 * A RateLimiter that allows everything: the Durable Object's round trip is four fifths of a keyed
 * request's time here, and the limit is taken before any input is read, so the corpus loses nothing
 * (the limiter has its own tests). The seeded tenant's limit is wide anyway, should this go.
 */
const allowAll = {
  idFromName: (name: string) => name,
  get: () => ({
    take: async (rule: RateLimitRule): Promise<RateLimitDecision> => ({
      allowed: true,
      limit: rule.burst,
      remaining: rule.burst,
      reset_seconds: 0,
      retry_after_seconds: 0,
    }),
  }),
} as unknown as Env['RATE_LIMITER'];

const peers = () => recordingPeers({ OPERATOR_SECRET, AUTH_JWT_SECRET: JWT_SECRET, RATE_LIMITER: allowAll });

let apiKey: string;
let identityToken: string;

beforeAll(async () => {
  // The gateway loads its MCP server on the first /mcp request; load it here, so that first load
  // (seconds on a busy machine) is not charged to one case's 5 s timeout.
  await import('../src/mcp/endpoint');
  const tenant = await seedTenant(realEnv.DB, {
    slug: uniqueSlug('gw-bad-input'),
    domain: 'bad-input.example.test',
    // The corpus sends hundreds of requests in a few seconds.
    rateLimit: { per_second: 10_000, burst: 10_000 },
  });
  apiKey = tenant.fullKey.token;
  identityToken = await new SignJWT({ sub: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
}, 60_000);

function credentialFor(route: Route): string | undefined {
  if (route.permission === 'operator') return OPERATOR_SECRET;
  if (route.permission === 'identity') return identityToken;
  if (route.permission === 'public') return undefined;
  return apiKey;
}

const UUID_A = '5d6f3c1e-0000-4000-8000-00000000000a';

/** A valid body for each route that takes JSON: each case below breaks one thing in it. */
const EXAMPLES: Record<string, unknown> = {
  'emails/send': {
    from: 'Acme <hi@bad-input.example.test>',
    to: 'ada@example.com',
    subject: 'Hi',
    html: '<p>Hi</p>',
  },
  'emails/send-batch': [
    { from: 'hi@bad-input.example.test', to: ['ada@example.com'], subject: 'Hi', text: 'Hi' },
  ],
  'emails/update': { scheduled_at: 'in 1 hour' },
  'domains/create': { name: 'mail.example.com', region: 'us-east-1', open_tracking: true },
  'domains/update': { click_tracking: false, tracking_subdomain: 'links' },
  'contacts/create': {
    email: 'ada@example.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    properties: { plan: 'pro' },
    segments: [{ id: UUID_A }],
    topics: [{ id: UUID_A, subscription: 'opt_in' }],
  },
  'contacts/update': { first_name: 'Ada', unsubscribed: false, properties: { plan: 'pro' } },
  'contacts/update-topics': { topics: [{ id: UUID_A, subscription: 'opt_out' }] },
  'contact-properties/create': { key: 'plan', type: 'string', fallback_value: 'free' },
  'contact-properties/update': { fallback_value: 'free' },
  'segments/create': { name: 'VIP' },
  'audiences/create': { name: 'VIP' },
  'audiences/update': { name: 'VIP' },
  'audiences/create-contact': { email: 'ada@example.com', first_name: 'Ada', properties: { plan: 'pro' } },
  'audiences/update-contact': { first_name: 'Ada', unsubscribed: false },
  'segments/update': { name: 'VIP' },
  'topics/create': {
    name: 'News',
    description: 'Monthly',
    default_subscription: 'opt_in',
    visibility: 'public',
  },
  'topics/update': { name: 'News', description: 'Weekly' },
  'templates/create': {
    name: 'Welcome',
    alias: 'welcome',
    from: 'Acme <hi@bad-input.example.test>',
    subject: 'Welcome, {{{NAME}}}',
    reply_to: 'help@example.com',
    html: '<p>Hi {{{NAME}}}</p>',
    text: 'Hi {{{NAME}}}',
    variables: [{ key: 'NAME', type: 'string', fallback_value: 'there' }],
  },
  'templates/update': {
    name: 'Welcome',
    subject: 'Hello',
    variables: [{ key: 'AGE', type: 'number', fallback_value: 1 }],
  },
  'broadcasts/create': {
    segment_id: UUID_A,
    from: 'Acme <news@bad-input.example.test>',
    subject: 'Spring news',
    reply_to: ['help@example.com'],
    html: '<p>Hi {{{contact.first_name|there}}}</p>',
    text: 'Hi',
    name: 'Spring',
    preview_text: 'What is new',
    topic_id: UUID_A,
    send: true,
    scheduled_at: 'in 1 hour',
  },
  'broadcasts/update': { name: 'Spring', subject: 'Spring news', reply_to: 'help@example.com' },
  'broadcasts/send': { scheduled_at: 'tomorrow at 9am' },
  'broadcasts/test': { to: ['ada@example.com', 'Bob <bob@example.com>'] },
  'suppressions/create': { email: 'ada@example.com', reason: 'asked' },
  'suppressions/batch-add': { emails: ['ada@example.com', 'bob@example.com'] },
  'suppressions/batch-remove': { emails: ['ada@example.com'] },
  'webhooks/create': { endpoint: 'https://hooks.example.com/mailgrid', events: ['email.sent'] },
  'webhooks/update': { endpoint: 'https://hooks.example.com/other', status: 'disabled' },
  'streams/create': { id: 'news', name: 'News', type: 'broadcast', configuration_set: 'news-set' },
  'streams/update': { name: 'News', track_opens: true },
  'files/upload': { filename: 'report.pdf', content: 'JVBERi0=', content_type: 'application/pdf' },
  'api-keys/create': { name: 'ci', permission: 'sending_access' },
  'api-keys/update': { name: 'ci' },
  'users/invite': { email: 'ada@example.com', role: 'developer' },
  'users/update': { role: 'viewer' },
  'invitations/accept': { token: 'mgi_abc' },
  'tenants/create': {
    name: 'Acme',
    slug: 'acme',
    daily_send_limit: 1000,
    rate_limit: { per_second: 5, burst: 10 },
  },
  'tenants/update': { name: 'Acme', daily_send_limit: 10 },
  'reputation/resume': { stream: 'broadcast' },
};

// --- reading the schemas ---------------------------------------------------------------------------

interface AnySchema {
  kind: string;
  type: string;
  entries?: Record<string, AnySchema>;
  wrapped?: AnySchema;
  item?: AnySchema;
  options?: (AnySchema | string | number)[];
  literal?: unknown;
  pipe?: AnySchema[];
  requirement?: unknown;
}

const asSchema = (schema: unknown) =>
  typeof schema === 'object' && schema !== null && (schema as AnySchema).kind === 'schema'
    ? (schema as AnySchema)
    : undefined;

/** The object schema's fields, also when it sits in a pipe (a transform first, as the topics body). */
function objectEntries(schema: AnySchema | undefined): Record<string, AnySchema> | undefined {
  if (!schema) return undefined;
  if (schema.entries) return schema.entries;
  return schema.pipe?.find((item) => item.kind === 'schema' && item.entries)?.entries;
}

/** The schema without optional / nullish / nullable around it (a pipe keeps its root's type). */
function unwrapped(schema: AnySchema): AnySchema {
  return schema.wrapped ? unwrapped(schema.wrapped) : schema;
}

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object';
const KINDS: Kind[] = ['array', 'object', 'string', 'number', 'boolean'];

/** The JSON kinds a field takes (null aside); `any` for free-form fields. */
function kindsOf(schema: AnySchema): Set<Kind> | 'any' {
  const s = unwrapped(schema);
  switch (s.type) {
    case 'string':
      return new Set(['string']);
    case 'number':
      return new Set(['number']);
    case 'boolean':
      return new Set(['boolean']);
    case 'array':
    case 'tuple':
      return new Set(['array']);
    case 'object':
    case 'strict_object':
    case 'loose_object':
    case 'object_with_rest':
    case 'record':
      return new Set(['object']);
    case 'picklist':
      return new Set((s.options ?? []).map((option) => typeof option as Kind));
    case 'literal':
      return new Set([typeof s.literal as Kind]);
    case 'never':
      return new Set();
    case 'union':
    case 'variant': {
      const kinds = new Set<Kind>();
      for (const option of s.options ?? []) {
        const inner = kindsOf(option as AnySchema);
        if (inner === 'any') return 'any';
        for (const kind of inner) kinds.add(kind);
      }
      return kinds;
    }
    default:
      return 'any';
  }
}

/** The largest length (or byte size) the field's own pipe allows, if it says. */
function maxLengthOf(schema: AnySchema): number | undefined {
  const action = unwrapped(schema).pipe?.find(
    (item) => item.kind === 'validation' && (item.type === 'max_length' || item.type === 'max_bytes'),
  );
  return typeof action?.requirement === 'number' ? action.requirement : undefined;
}

const refuses = (schema: AnySchema, value: unknown) => !v.safeParse(schema as v.GenericSchema, value).success;

interface Field {
  /** Inside the route's object body, e.g. ['variables', 0, 'key']. */
  path: (string | number)[];
  schema: AnySchema;
}

/** The route's JSON body: its object schema, its example, and how one object is sent (batch: a list). */
interface JsonBody {
  entries: Record<string, AnySchema> | undefined;
  example: Record<string, unknown> | undefined;
  wrap: (body: unknown) => unknown;
  /** The body is a list (the batch): an object is the wrong shape. */
  list: boolean;
}

function jsonBodyOf(route: Route): JsonBody | undefined {
  const schema = asSchema(route.body) ?? asSchema(route.accepts?.['application/json']?.schema);
  if (!schema) return undefined;
  const example = EXAMPLES[route.operationId];
  if (schema.type === 'array' && schema.item) {
    return {
      entries: objectEntries(schema.item),
      example: Array.isArray(example) ? (example[0] as Record<string, unknown>) : undefined,
      wrap: (body) => [body],
      list: true,
    };
  }
  return {
    entries: objectEntries(schema),
    example: example as Record<string, unknown> | undefined,
    wrap: (body) => body,
    list: false,
  };
}

/** Every field of the body, and the fields of the objects in it the example has (one level down). */
function fieldsOf(body: JsonBody): Field[] {
  const fields: Field[] = [];
  for (const [key, schema] of Object.entries(body.entries ?? {})) {
    fields.push({ path: [key], schema });
    const inner = unwrapped(schema);
    const present = body.example?.[key];
    const objectEntriesOf = objectEntries(inner);
    if (
      objectEntriesOf &&
      inner.type !== 'record' &&
      typeof present === 'object' &&
      !Array.isArray(present)
    ) {
      for (const [child, childSchema] of Object.entries(objectEntriesOf)) {
        fields.push({ path: [key, child], schema: childSchema });
      }
    }
    const itemEntries =
      inner.type === 'array' ? objectEntries(inner.item && unwrapped(inner.item)) : undefined;
    if (itemEntries && Array.isArray(present) && typeof present[0] === 'object') {
      for (const [child, childSchema] of Object.entries(itemEntries)) {
        fields.push({ path: [key, 0, child], schema: childSchema });
      }
    }
  }
  return fields;
}

/** A raw JSON literal to put where a value goes (JSON.stringify cannot write 1e400). */
class Raw {
  constructor(readonly text: string) {}
}

function bodyWith(body: JsonBody, path: (string | number)[], value: unknown): string {
  const copy = structuredClone(body.example ?? {}) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  target[path.at(-1) as string | number] = value;
  const raws: string[] = [];
  const text = JSON.stringify(body.wrap(copy), (_key, item: unknown) =>
    item instanceof Raw ? `\u0000raw${raws.push(item.text) - 1}` : item,
  );
  return text.replace(/"\\u0000raw(\d+)"/g, (_match, index: string) => raws[Number(index)] as string);
}

// --- the cases ----------------------------------------------------------------------------------

interface Case {
  route: Route;
  what: string;
  path: string;
  method?: string;
  /** null: no Content-Type at all. */
  contentType?: string | null;
  body?: string | Uint8Array;
  /** A Content-Disposition header. */
  disposition?: string;
  status?: number;
  code?: string;
  /** Something the message must say (the field, the parameter). */
  mentions?: string;
}

/** The route's path with each `:param` replaced, the others given a valid value. */
function pathWith(route: Route, replace: Record<string, string> = {}): string {
  return route.path.replace(/:([a-z_]+)/g, (_match, name: string) => {
    if (replace[name] !== undefined) return replace[name];
    const expects = route.params?.[name]?.expects ?? '';
    if (expects.includes('delivery')) return `msg_${'a'.repeat(32)}`;
    if (expects.includes('stream')) return 'transactional';
    if (expects.includes('(an email address)')) return 'ada%40example.com';
    return UUID_A;
  });
}

const isCsv = (route: Route) => Boolean(route.accepts?.['text/csv']);
const takesBody = (route: Route) => Boolean(route.body || route.accepts);
const encoder = new TextEncoder();
const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...encoder.encode(part)] : part)));

/** The media type a route's JSON-ish body goes as (SNS sends JSON as text/plain). */
function mediaTypeOf(route: Route): string {
  if (route.body || route.accepts?.['application/json']) return 'application/json';
  return Object.keys(route.accepts ?? {})[0] ?? 'application/json';
}

/** The valid body a case that breaks something else (a path id, a query) carries. */
function validInit(route: Route): { contentType?: string; body?: string } {
  if (!takesBody(route)) return {};
  if (isCsv(route)) return { contentType: 'text/csv', body: 'email\nada@example.com\n' };
  const body = jsonBodyOf(route);
  return {
    contentType: mediaTypeOf(route),
    body: JSON.stringify(body?.example ? body.wrap(body.example) : {}),
  };
}

function wrongMethodCases(route: Route): Case[] {
  const onPath = routes.filter((other) => other.path === route.path).map((other) => other.method);
  const method = METHODS.find((candidate) => !onPath.includes(candidate)) as string;
  return [
    {
      route,
      what: `${method} on its path`,
      path: pathWith(route),
      method,
      status: 405,
      code: 'method_not_allowed',
    },
  ];
}

/**
 * `n` items of `list`, a different turn each call: each route gets a few of a family's variants and
 * the corpus as a whole every one of them, so it stays a few seconds long (each case is a request).
 */
let turn = 0;
function rotate<T>(list: readonly T[], n = 1): T[] {
  const start = turn++;
  return Array.from({ length: Math.min(n, list.length) }, (_, at) => list[(start + at) % list.length] as T);
}

const BAD_IDS: [string, string][] = [
  ['an encoded lone surrogate', '%ED%A0%80'],
  ['an emoji', '%F0%9F%98%80'],
  ['an RTL override before a UUID', `%E2%80%AE${UUID_A}`],
  ['a UUID and a NUL', `${UUID_A}%00`],
];

function paramCases(route: Route): Case[] {
  return Object.keys(route.params ?? {}).flatMap((name) =>
    rotate(BAD_IDS, 2).map(([what, bad]) => ({
      route,
      what: `path ${name} as ${what}`,
      path: pathWith(route, { [name]: bad }),
      ...validInit(route),
      status: 422,
      code: 'invalid_parameter',
      mentions: `Path parameter ${name} must be`,
    })),
  );
}

function queryEntries(route: Route): Record<string, AnySchema> {
  return objectEntries(asSchema(route.query)) ?? {};
}

function validCursor(route: Route): string {
  return (
    {
      '/api/suppressions': 'a%40example.com',
      '/api/streams': 'transactional',
      '/api/webhooks/:id/deliveries': `msg_${'a'.repeat(32)}`,
      '/api/webhooks/:id/events': `msg_${'a'.repeat(32)}`,
      '/api/webhooks/:id/events/:event_id/attempts': `msg_${'a'.repeat(32)}-1`,
    }[route.path] ?? UUID_A
  );
}

const BAD_LIMITS = ['1.5', '1e1', '%EF%BC%95' /* fullwidth 5 */, '%E2%80%AE5', '5%00'];
const BAD_QUERY_VALUES = ['%00', '%F0%9F%98%80', '%E2%80%AE', '%ED%A0%80', 'x'.repeat(1000), '-1', ''];

function queryCases(route: Route): Case[] {
  const entries = queryEntries(route);
  const base = pathWith(route);
  const query = (name: string, value: string, what: string): Case => ({
    route,
    what: `query ${name} as ${what}`,
    path: `${base}?${name}=${value}`,
    ...validInit(route),
    status: 422,
    code: 'invalid_parameter',
    mentions: `Query parameter ${name}`,
  });
  const cases: Case[] = [];
  for (const name of Object.keys(entries)) {
    if (name === 'limit') {
      cases.push(
        ...rotate(BAD_LIMITS, 2).map((bad) => query('limit', bad, JSON.stringify(decodeURIComponent(bad)))),
      );
    } else if ((name === 'after' || name === 'before') && 'before' in entries) {
      const cursor = validCursor(route);
      const bad = [`%E2%80%AE${cursor}`, '%F0%9F%98%80', `${cursor}%00`, '%ED%A0%80', `${cursor}%0A`];
      cases.push(
        ...rotate(bad).map((value) => query(name, value, `a malformed cursor (${value.slice(0, 12)})`)),
      );
    } else {
      // A filter: a value its schema refuses.
      const schema = asSchema(route.query) as AnySchema;
      const refused = BAD_QUERY_VALUES.filter((bad) => {
        const decoded = new URLSearchParams(`x=${bad}`).get('x');
        return refuses(schema, { [name]: decoded });
      });
      cases.push(...rotate(refused).map((bad) => query(name, bad, JSON.stringify(bad.slice(0, 12)))));
    }
  }
  return cases;
}

function contentTypeCases(route: Route): Case[] {
  if (!takesBody(route)) return [];
  const accepted = Object.keys(route.accepts ?? {});
  const example = validInit(route).body ?? '{}';
  const candidates: [string, string | null][] = [
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['no Content-Type', null],
  ];
  if (isCsv(route)) candidates.push(['JSON', 'application/json']);
  return rotate(
    candidates.filter(([, type]) => type === null || !accepted.includes(type.split(';')[0] as string)),
    2,
  ).map(([what, type]) => ({
    route,
    what: `a body as ${what}`,
    path: pathWith(route),
    contentType: type,
    // A Uint8Array body: a string would get text/plain from the Request constructor.
    body: type === null ? encoder.encode(example) : example,
    ...(route.body ? { status: 415, code: 'unsupported_media_type' } : {}),
  }));
}

/** A raw upload (any media type, named by `?filename=` or Content-Disposition) with a bad name. */
function rawNameCases(route: Route): Case[] {
  if (!route.accepts?.['application/octet-stream']) return [];
  const base = pathWith(route);
  const raw = (what: string, query: string, disposition?: string): Case => ({
    route,
    what: `raw bytes named by ${what}`,
    path: `${base}${query}`,
    contentType: 'application/pdf',
    body: '%PDF-1.7',
    ...(disposition ? { disposition } : {}),
    status: 422,
    mentions: 'filename',
  });
  return [
    raw('?filename= with a NUL', '?filename=report%00.pdf'),
    raw('?filename= with a line break', '?filename=report%0D%0A.pdf'),
    raw('?filename= with ESC', '?filename=%1B%5B31mreport.pdf'),
    raw('an empty ?filename=', '?filename='),
    raw('filename* with a NUL', '', "attachment; filename*=UTF-8''report%00.pdf"),
    raw('filename* with a malformed escape', '', "attachment; filename*=UTF-8''report%ZZ.pdf"),
    raw('filename* with an encoded lone surrogate', '', "attachment; filename*=UTF-8''%ED%A0%80.pdf"),
    raw('filename with a BEL', '', 'attachment; filename="report\u0007.pdf"'),
  ];
}

/** `depth` levels of arrays and objects in one another, as JSON text (no stack needed to write it). */
function nested(depth: number): Raw {
  const levels = Array.from({ length: depth }, (_, level) => level % 2 === 0);
  const open = levels.map((array) => (array ? '[' : '{"a":')).join('');
  const close = levels
    .map((array) => (array ? ']' : '}'))
    .reverse()
    .join('');
  return new Raw(`${open}1${close}`);
}

/** Bad bodies whatever the route's fields. */
function bodyCases(route: Route): Case[] {
  if (!takesBody(route)) return [];
  const contentType = isCsv(route) ? 'text/csv' : mediaTypeOf(route);
  const path = pathWith(route);
  const make = (what: string, body: string | Uint8Array, expected: Partial<Case> = {}): Case => ({
    route,
    what,
    path,
    contentType,
    body,
    ...(route.body || expected.status === 400 || expected.code === 'invalid_json' ? expected : {}),
  });
  const cases: Case[] = [];
  if (!route.bodyOptional) {
    // Empty JSON cannot be parsed (400); an empty CSV parses, to nothing to import (422).
    cases.push(make('an empty body', '', { status: isCsv(route) ? 422 : 400 }));
  }
  if (isCsv(route)) return cases;
  const json = jsonBodyOf(route);
  const example = validInit(route).body ?? '{}';
  // Invalid UTF-8 inside the first string value of the (valid) example.
  const at = example.indexOf('":"');
  const [before, after] = at < 0 ? ['{"name":"', '"}'] : [example.slice(0, at + 3), example.slice(at + 3)];
  const utf8 = (what: string, bad: number[]) =>
    make(`invalid UTF-8: ${what}`, bytes(before, bad, after), {
      status: 400,
      code: 'invalid_json',
      mentions: 'UTF-8',
    });
  const syntax = { status: 400, code: 'invalid_json' };
  cases.push(
    ...rotate([
      make('only whitespace', ' \n\t ', syntax),
      make('truncated JSON', '{"name":', syntax),
      make('JSON and trailing garbage', `${example} {}`, syntax),
      make('a bare word', 'undefined', syntax),
    ]),
    ...rotate([make('null', 'null'), make('a string', '"text"'), make('a number', '42')]),
    json?.list
      ? make('an object for the list', JSON.stringify(json.example ?? {}))
      : make('a list for the object', `[${example}]`),
    ...rotate([
      utf8('a lone 0xFF byte', [0xff]),
      utf8('an overlong "/"', [0xc0, 0xaf]),
      utf8('an encoded surrogate', [0xed, 0xa0, 0x80]),
      utf8('a truncated sequence', [0xe2, 0x82]),
    ]),
    make('5,000 nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`, {
      status: 422,
      code: 'invalid_parameter',
      mentions: 'levels deep',
    }),
    make('an unpaired surrogate in a key', '{"\\ud800": 1}', {
      status: 422,
      code: 'invalid_parameter',
      mentions: 'surrogate',
    }),
  );
  return cases;
}

const SAMPLES: Record<Kind, unknown> = {
  string: 'text',
  number: 42,
  boolean: true,
  array: ['x'],
  object: { x: 1 },
};
/** The wrong kinds to try first for a field of each kind: arrays for objects, objects for arrays… */
const PREFERRED: Record<Kind, Kind[]> = {
  string: ['number', 'object', 'array'],
  number: ['string', 'array'],
  boolean: ['string', 'number'],
  array: ['object', 'string'],
  object: ['array', 'string'],
};

/** Free text that may hold tabs and line breaks (but no NUL); every other string is a name or header-bound. */
const FREE_TEXT = new Set(['html', 'text', 'content', 'fallback_value']);
/** An email's control characters are refused by send (@mailgrid/mime's checks), past the RPC: not swept here. */
const CONTROL_CHARS_ELSEWHERE = new Set(['emails/send', 'emails/send-batch', 'emails/update']);
const CONTROLS = ['a\u001bb', 'a\tb', 'a\r\nb', 'a\u007fb', 'a\u0085b', 'a\u0007b'];
const ODD_UNICODE = ['\u202Eevil', '😀', 'a\u200Bb', '\uFEFFa', 'e\u0301', 'ᴬᴰᴹᴵᴺ'];

function fieldCases(route: Route): Case[] {
  const body = jsonBodyOf(route);
  if (!body?.entries) return [];
  const path = pathWith(route);
  const contentType = mediaTypeOf(route);
  const cases: Case[] = [];
  fieldsOf(body).forEach(({ path: fieldPath, schema }, index) => {
    const name = fieldPath.join('.');
    const kinds = kindsOf(schema);
    // A free-form object (contact properties) gets the odd strings and numbers as its values.
    const inObject = kinds === 'any' && !refuses(schema, { x: 'text' });
    const make = (what: string, value: unknown, { asValue = false } = {}): Case => ({
      route,
      what: `${name} as ${what}`,
      path,
      contentType,
      body: bodyWith(body, fieldPath, asValue && inObject ? { x: value } : value),
      status: 422,
      // Handlers that read their own body (files, batch) may answer another 422 code.
      ...(route.body && body.example ? { code: 'invalid_parameter' } : {}),
      // Without an example another field may be reported first, maybe as missing.
      ...(body.example ? { mentions: name } : {}),
    });
    const wrong =
      kinds === 'any'
        ? KINDS.filter((kind) => refuses(schema, SAMPLES[kind]))
        : [...(PREFERRED[[...kinds][0] ?? 'string'] ?? []), ...KINDS].filter((kind) => !kinds.has(kind));
    // Arrays for objects and objects for arrays always; scalars take turns with their wrong types.
    const wrongKinds = [...new Set(wrong)];
    const containers = kinds !== 'any' && (kinds.has('array') || kinds.has('object'));
    for (const kind of containers ? wrongKinds.slice(0, 1) : rotate(wrongKinds)) {
      cases.push(make(`a wrong type (${kind})`, SAMPLES[kind]));
    }
    const strings = kinds === 'any' || kinds.has('string');
    if (strings) {
      if (index % 2 === 0) cases.push(make('an unpaired surrogate', 'a\ud800b', { asValue: true }));
      if (!CONTROL_CHARS_ELSEWHERE.has(route.operationId)) {
        cases.push(make('a NUL', 'a\u0000b', { asValue: true }));
        if (!FREE_TEXT.has(String(fieldPath.at(-1))) && kinds !== 'any' && index % 2 === 1) {
          const control = CONTROLS[index % CONTROLS.length] as string;
          cases.push(make(`the control character ${JSON.stringify(control)}`, control));
        }
      }
      // Odd unicode is fine in a name: every third field gets a variant its own rules refuse, if any.
      if (index % 3 === 0) {
        const turns = ODD_UNICODE.map((_, at) => ODD_UNICODE[(index + at) % ODD_UNICODE.length] as string);
        const odd = turns.find((candidate) => refuses(schema, candidate));
        if (odd) cases.push(make(`odd unicode ${JSON.stringify(odd)}`, odd));
      }
      const max = maxLengthOf(schema);
      if (max !== undefined) {
        const oversize = index % 2 && max < 10_000 ? '😀'.repeat(max) : 'x'.repeat(max + 1);
        cases.push(make(`${oversize.length} UTF-16 units (at most ${max})`, oversize));
      }
    }
    if (kinds === 'any' || kinds.has('number')) {
      cases.push(make('1e400 (Infinity once parsed)', new Raw('1e400'), { asValue: true }));
    }
    if (index === 0 || kinds === 'any') {
      cases.push(make(`${JSON_LIMITS.body_depth + 8} nested levels`, nested(JSON_LIMITS.body_depth + 8)));
    }
    if (kinds === 'any') {
      // Free-form: a field-level limit below the body's, then the 5,000 levels that once overflowed RPC.
      cases.push(
        make(`${JSON_LIMITS.free_form_depth + 4} nested levels`, {
          a: nested(JSON_LIMITS.free_form_depth + 3),
        }),
      );
      cases.push(make('5,000 nested levels', nested(5000)));
    }
  });
  return cases;
}

const corpus: Case[] = routes.flatMap((route) => [
  ...wrongMethodCases(route),
  ...paramCases(route),
  ...queryCases(route),
  ...contentTypeCases(route),
  ...rawNameCases(route),
  ...bodyCases(route),
  ...fieldCases(route),
]);

async function send(c: Case): Promise<{ response: Response; text: string; calls: unknown[] }> {
  const { calls, env } = peers();
  const headers: Record<string, string> = {};
  if (c.contentType) headers['content-type'] = c.contentType;
  if (c.disposition) headers['content-disposition'] = c.disposition;
  // An MCP client accepts both answers the transport may give; without that it is refused before the body is read.
  if (c.route.path === '/mcp') headers.accept = 'application/json, text/event-stream';
  const response = await call(
    c.path,
    { method: c.method ?? c.route.method, headers, body: c.body, key: credentialFor(c.route) },
    env,
  );
  return { response, text: await response.text(), calls };
}

describe('the bad-input corpus', () => {
  it('covers every route, with hundreds of cases', () => {
    const covered = new Set(corpus.map((c) => c.route));
    expect(routes.filter((route) => !covered.has(route)).map((route) => route.operationId)).toEqual([]);
    expect(corpus.length).toBeGreaterThanOrEqual(300);
  });

  const withExamples = routes.filter((route) => takesBody(route) && jsonBodyOf(route)?.example);
  it.each(withExamples.map((route) => [route.operationId, route] as const))(
    'the example body of %s is accepted (so each case breaks one thing only)',
    async (_id, route) => {
      const { response, text, calls } = await send({
        route,
        what: 'valid',
        path: pathWith(route),
        ...validInit(route),
      });
      expect(response.status, text).toBeLessThan(300);
      expect(calls.length).toBeGreaterThan(0);
    },
  );

  it.for(corpus.map((c) => [`${c.route.method} ${c.route.path}: ${c.what}`, c] as const))(
    '%s',
    async ([, c], { expect }) => {
      const { response, text, calls } = await send(c);
      expect(response.status, text).toBeGreaterThanOrEqual(400);
      expect(response.status, text).toBeLessThan(500);
      if (c.status) expect(response.status, text).toBe(c.status);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      if (c.route.path === '/mcp' && 'jsonrpc' in parsed) {
        // MCP's transport answers a malformed message as JSON-RPC does, which its clients read.
        const rpc = parsed as { jsonrpc: string; error: { code: number; message: string } };
        expect(rpc.jsonrpc).toBe('2.0');
        expect(rpc.error.code).toBeLessThan(0);
        expect(rpc.error.message.length).toBeGreaterThan(0);
        expect(calls).toEqual([]);
        return;
      }
      const envelope = parsed;
      expect(Object.keys(envelope).sort()).toEqual(['message', 'name', 'request_id', 'statusCode']);
      expect(envelope.statusCode).toBe(response.status);
      expect(ERROR_CODES).toContain(envelope.name);
      if (c.code) expect(envelope.name, text).toBe(c.code);
      expect(envelope.message).toBeTypeOf('string');
      expect((envelope.message as string).length).toBeGreaterThan(0);
      expect((envelope.message as string).length).toBeLessThan(1000);
      if (c.mentions) expect(envelope.message).toContain(c.mentions);
      expect(envelope.request_id).toBe(response.headers.get('x-request-id'));
      expect(calls).toEqual([]);
    },
  );
});
