// The routes that are not a resource: mesh health, SNS's intake of SES events, and the API's own
// description (the OpenAPI document and its reference page).
import { MeshHealth } from '@mailgrid/contracts';
import * as v from 'valibot';
import { json } from '../../http/responses';
import {
  DOCS_SCRIPT_PATH,
  docsPage,
  OPENAPI_PATH,
  openApiResponse,
  scalarScriptResponse,
} from '../../routes/docs';
import { health } from '../../routes/health';
import { sesWebhook } from '../../routes/ses-webhook';
import { route } from '../route';

/** GET /: what this host is and where to go next (the dashboard will live here). */
const Root = v.pipe(
  v.object({
    object: v.literal('mailgrid'),
    description: v.string(),
    api: v.string(),
    docs: v.string(),
    openapi: v.string(),
    health: v.string(),
  }),
  v.title('Root'),
  v.description('What this host is, and where the API, its reference and its description are.'),
);

export const systemRoutes = [
  route({
    operationId: 'root/get',
    method: 'GET',
    path: '/',
    summary: 'What this host is',
    permission: 'public',
    response: Root,
    handle: async () =>
      json({
        object: 'mailgrid',
        description:
          "Mailgrid: email infrastructure on Cloudflare and Amazon SES, speaking Resend's API. Point the resend SDK at /api with a Mailgrid API key.",
        api: '/api',
        docs: '/docs',
        openapi: OPENAPI_PATH,
        health: '/health',
      } satisfies v.InferOutput<typeof Root>),
  }),
  route({
    operationId: 'health/get',
    method: 'GET',
    path: '/health',
    summary: 'Health of the gateway and the four workers behind it',
    description: '200 when every worker is healthy, 503 with the same report when any is not.',
    permission: 'sending_access',
    response: MeshHealth,
    handle: ({ env }) => health(env),
  }),
  route({
    operationId: 'webhooks/ses-intake',
    method: 'POST',
    path: '/api/webhooks/ses',
    summary: 'Amazon SNS deliveries of SES events',
    description:
      'For SNS only: no API key; every message is authenticated by its SNS signature, and anything refused is a 4xx.',
    permission: 'public',
    accepts: {
      'text/plain': { schema: { type: 'string', description: 'An SNS message (JSON, as SNS sends it).' } },
    },
    response: v.object({ received: v.optional(v.boolean()), confirmed: v.optional(v.boolean()) }),
    handle: sesWebhook,
  }),
  route({
    operationId: 'openapi/get',
    method: 'GET',
    path: OPENAPI_PATH,
    summary: 'This OpenAPI document',
    description: 'OpenAPI 3.1, generated from the route table; cacheable (ETag, five minutes).',
    permission: 'public',
    response: v.pipe(
      v.looseObject({
        openapi: v.string(),
        info: v.looseObject({ title: v.string(), version: v.string() }),
        paths: v.record(v.string(), v.unknown()),
        webhooks: v.record(v.string(), v.unknown()),
        components: v.record(v.string(), v.unknown()),
      }),
      v.description('An OpenAPI 3.1 document.'),
    ),
    handle: ({ request }) => openApiResponse(request),
  }),
  route({
    operationId: 'docs/get',
    method: 'GET',
    path: '/docs',
    summary: 'The API reference page',
    description: 'An HTML page that renders this document with Scalar, loading only from this origin.',
    permission: 'public',
    response: v.pipe(
      v.string(),
      v.metadata({ contentMediaType: 'text/html' }),
      v.description('An HTML page.'),
    ),
    handle: ({ request }) => docsPage(request),
  }),
  route({
    operationId: 'docs/get-script',
    method: 'GET',
    path: DOCS_SCRIPT_PATH,
    summary: "The reference page's script (Scalar's standalone bundle)",
    permission: 'public',
    response: v.pipe(
      v.string(),
      v.metadata({ contentMediaType: 'text/javascript' }),
      v.description('JavaScript.'),
    ),
    handle: ({ request }) => scalarScriptResponse(request),
  }),
];
