// The OpenAPI document (GET /openapi.json) documents every route of the table: a route without a
// documented path, parameters, body or response schema fails here. Also the reference page
// (GET /docs) and its script (GET /docs/scalar.js), served from the gateway itself.
import { WEBHOOK_EVENT_TYPES } from '@mailgrid/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiPath } from '../src/api/openapi';
import type { Route } from '../src/api/route';
import { routes } from '../src/api/table';
import { call } from './helpers';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Json[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Json }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Json }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: Operation }>;
  components: {
    schemas: Record<string, Json>;
    securitySchemes: Record<string, Json>;
    responses: Record<string, Json>;
  };
}

let document: OpenApiDocument;
let raw: Response;

beforeAll(async () => {
  raw = await call('/openapi.json');
  expect(raw.status).toBe(200);
  document = await raw.json<OpenApiDocument>();
});

const operationOf = (route: Route): Operation | undefined =>
  document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];

/** A schema says something: a reference, a type, or a combination. */
function nonEmpty(schema: Json | undefined): boolean {
  return Boolean(
    schema &&
      Object.keys(schema).some((key) =>
        ['$ref', 'type', 'anyOf', 'oneOf', 'allOf', 'const', 'enum'].includes(key),
      ),
  );
}

/** Follows a `#/components/…` reference. */
function resolve<T>(value: T & { $ref?: string }): T {
  if (!value.$ref) return value;
  const target = value.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Json)[key], document);
  expect(target, value.$ref).toBeDefined();
  return target as T;
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document, public and cacheable', async () => {
    expect(raw.headers.get('content-type')).toMatch(/^application\/json/);
    expect(raw.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.info).toMatchObject({ title: 'Mailgrid' });
    expect(document.info.version).toMatch(/\S/);

    const etag = raw.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await call('/openapi.json', { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
  });

  it('documents every route of the table: path, method, operation id, success schema, parameters, body', () => {
    const problems: string[] = [];
    for (const route of routes) {
      const name = `${route.method} ${route.path} (${route.operationId})`;
      const op = operationOf(route);
      if (!op) {
        problems.push(`${name}: no operation`);
        continue;
      }
      if (op.operationId !== route.operationId) problems.push(`${name}: operationId ${op.operationId}`);
      if (!op.summary) problems.push(`${name}: no summary`);
      const status = String(route.status ?? 200);
      const success = op.responses[status];
      const media = Object.values(success?.content ?? {})[0];
      if (!success || !/^2\d\d$/.test(status)) problems.push(`${name}: no ${status} response`);
      else if (!nonEmpty(media?.schema)) problems.push(`${name}: ${status} response without a schema`);
      if (route.body || route.accepts) {
        const content = op.requestBody?.content ?? {};
        if (!Object.keys(content).length) problems.push(`${name}: no requestBody`);
        if (route.body && !nonEmpty(content['application/json']?.schema))
          problems.push(`${name}: no JSON body schema`);
        for (const mediaType of Object.keys(route.accepts ?? {})) {
          if (!content[mediaType]?.schema) problems.push(`${name}: no ${mediaType} body`);
        }
      }
      for (const param of Object.keys(route.params ?? {})) {
        const documented = op.parameters?.find((p) => p.in === 'path' && p.name === param);
        if (!documented?.required || !documented.description || !nonEmpty(documented.schema)) {
          problems.push(`${name}: path parameter ${param} undocumented`);
        }
      }
      for (const match of route.path.matchAll(/:(\w+)/g)) {
        if (!route.params?.[match[1] as string]) problems.push(`${name}: :${match[1]} has no rule`);
      }
      if (
        route.idempotent &&
        !op.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')
      ) {
        problems.push(`${name}: no Idempotency-Key header`);
      }
      for (const header of route.headers ?? []) {
        if (!op.parameters?.some((p) => p.in === 'header' && p.name === header.name)) {
          problems.push(`${name}: header ${header.name} undocumented`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has nothing the table does not: one operation per route, ids unique and resource/verb', () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations).toHaveLength(routes.length);
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z-]+\/[a-z-]+$/);
    for (const path of Object.keys(document.paths)) expect(path).not.toContain(':');
  });

  it('lists every query parameter of a list one by one, limit with its bounds', () => {
    const list = routes.find((route) => route.operationId === 'emails/list') as Route;
    const params = operationOf(list)?.parameters ?? [];
    const byName = Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    expect(byName.limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(byName.after?.description).toMatch(/cursor/i);
    expect(byName.before?.description).toMatch(/cursor/i);
    expect(byName.limit?.required).toBe(false);
    for (const route of routes.filter((r) => r.query)) {
      expect(
        operationOf(route)?.parameters?.some((p) => p.in === 'query'),
        route.operationId,
      ).toBe(true);
    }
  });

  it('asks for the credential each permission needs, and documents the errors', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.operator).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(resolve(document.components.responses.Error422 as Json)).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    });
    expect(document.components.schemas.ErrorEnvelope).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['statusCode', 'name', 'message', 'request_id']),
    });
    for (const route of routes) {
      const op = operationOf(route) as Operation;
      const permission = route.permission ?? 'full_access';
      const errors = Object.keys(op.responses).filter((status) => /^[45]/.test(status));
      for (const status of errors) {
        const response = resolve(op.responses[status] as Json & { $ref?: string }) as Json;
        expect(response.content, `${route.operationId} ${status}`).toMatchObject({
          'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } },
        });
      }
      expect(errors, route.operationId).toContain('500');
      if (permission === 'public') {
        expect(op.security, route.operationId).toEqual([]);
      } else if (permission === 'operator') {
        expect(op.security, route.operationId).toEqual([{ operator: [] }]);
        expect(errors).toContain('401');
      } else {
        expect(op.security, route.operationId).toEqual([{ bearer: [] }]);
        expect(errors, route.operationId).toEqual(expect.arrayContaining(['401', '403']));
      }
      if (permission === 'sending_access' || permission === 'full_access') {
        expect(errors, route.operationId).toContain('429');
        const success = op.responses[String(route.status ?? 200)] as { headers?: Json };
        expect(Object.keys(success.headers ?? {}), route.operationId).toEqual(
          expect.arrayContaining(['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']),
        );
      }
      if (route.params || route.query || route.body) expect(errors, route.operationId).toContain('422');
    }
  });

  it('resolves every reference', () => {
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) resolve({ $ref: JSON.parse(`{${ref}}`).$ref as string });
  });

  it('documents every webhook event type, signed per Standard Webhooks', () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const type of WEBHOOK_EVENT_TYPES) {
      const post = document.webhooks[type]?.post as Operation;
      const headers = (post.parameters ?? [])
        .filter((p) => p.in === 'header' && p.required)
        .map((p) => p.name);
      expect(headers.sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
      expect(nonEmpty(post.requestBody?.content['application/json']?.schema)).toBe(true);
      expect(JSON.stringify(post.requestBody)).toContain(`"const":"${type}"`);
    }
  });
});

describe('GET /docs', () => {
  it('is an HTML page that loads the reference script and the document from this origin only', async () => {
    const response = await call('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    // Nothing but this origin (and data: URLs, which load nothing) in any directive.
    expect(csp.replace(/'nonce-[^']+'/g, '')).not.toMatch(/https?:|\*/);
    const html = await response.text();
    expect(html).toContain('<script src="/docs/scalar.js"></script>');
    expect(html).toContain('data-url="/openapi.json"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('serves Scalar’s standalone bundle itself, cacheable', async () => {
    const response = await call('/docs/scalar.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('cache-control')).toMatch(/^public/);
    const script = await response.text();
    expect(script.length).toBeGreaterThan(1_000_000);
    expect(script).toContain('createApiReference');
  });

  it('takes no other method', async () => {
    expect((await call('/docs', { method: 'POST' })).status).toBe(405);
    expect((await call('/openapi.json', { method: 'DELETE' })).status).toBe(405);
  });
});
