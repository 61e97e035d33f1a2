// The running gateway's OpenAPI document, checked by real validators: the OpenAPI 3.1 schema
// (@seriousme/openapi-schema-validator), every embedded schema against JSON Schema 2020-12 (Ajv), and
// real answers of the mesh against the schemas the document gives them.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, mesh } from './client';

type Json = Record<string, unknown>;
interface OpenApiDocument extends Json {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Json> }>>;
  webhooks: Record<string, Json>;
  components: { schemas: Record<string, Json> };
}

let document: OpenApiDocument;

beforeAll(async () => {
  const response = await fetch(`${mesh.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  document = (await response.json()) as OpenApiDocument;
});

/** Every JSON Schema in the document: components, parameters, media types, headers. */
function schemasIn(value: unknown, at: string, found: [string, Json][] = []): [string, Json][] {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) schemasIn(item, `${at}/${i}`, found);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'schema' && child && typeof child === 'object') found.push([`${at}/schema`, child as Json]);
      else if (key === 'schemas' && at === '/components') {
        for (const [name, schema] of Object.entries(child as Json))
          found.push([`${at}/schemas/${name}`, schema as Json]);
      } else schemasIn(child, `${at}/${key}`, found);
    }
  }
  return found;
}

/** Ajv with the whole document loaded, so `#/components/schemas/X` references resolve. */
function ajvWithDocument() {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(document, 'openapi.json');
  return (pointer: string) => {
    const validate = ajv.getSchema(`openapi.json#${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    return validate;
  };
}

describe('the OpenAPI document of the running gateway', () => {
  it('is valid OpenAPI 3.1, and every reference resolves', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('embeds only valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const schemas = schemasIn(document, '');
    expect(schemas.length).toBeGreaterThan(100);
    const invalid = schemas
      .filter(([, schema]) => !ajv.validateSchema(schema))
      .map(([at]) => `${at}: ${ajv.errorsText(ajv.errors)}`);
    expect(invalid).toEqual([]);
  });

  it("describes the mesh's real answers: health, a list, an error", async () => {
    const schemaAt = ajvWithDocument();
    const check = async (response: Response, pointer: string) => {
      const validate = schemaAt(pointer);
      const body = await response.json();
      expect(validate(body), `${pointer}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const key = mesh.main.full.token;
    const health = await api('/health', { key });
    expect(health.status).toBe(200);
    await check(health, '/paths/~1health/get/responses/200/content/application~1json/schema');

    const domains = await api('/api/domains', { key });
    expect(domains.status).toBe(200);
    await check(domains, '/paths/~1api~1domains/get/responses/200/content/application~1json/schema');

    const missing = await api(`/api/emails/${crypto.randomUUID()}`, { key });
    expect(missing.status).toBe(404);
    await check(missing, '/components/schemas/ErrorEnvelope');
  });
});
