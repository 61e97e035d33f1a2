// Shared by the send worker's tests: tenants, the SendService over real RPC, a spy on the send
// queue's producer, an SES stand-in on fetch, and the consumer run on chosen messages.
//
// SES: the consumer calls SES with aws4fetch, which calls the global fetch; the consumer runs in
// this isolate (runQueue calls the worker's queue handler directly), so a spy on globalThis.fetch
// sees every SES request exactly as it would leave the worker, signed, and answers it. Anything
// else fetched fails the test.
//
// The queue: vitest.config.ts detaches SEND_QUEUE from the consumer (nothing is consumed behind a
// test's back); `queueSpy` records what the worker enqueued and still calls the real binding.
import { env, exports } from 'cloudflare:workers';
import type { Caller, RpcResult, SendEmailRequest, SendQueueMessage, SendRpc } from '@mailgrid/contracts';
import { callerFor, seedTenant, type TenantSpec } from '@mailgrid/testing/fixtures';
import { type QueueResult, runQueue } from '@mailgrid/testing/queue';
import { vi } from 'vitest';
import type { Env } from '../src/env';
import worker from '../src/index';

export const testEnv = env as unknown as Env;
export const send = (exports as unknown as { SendService: SendRpc }).SendService;

export type Tenant = Awaited<ReturnType<typeof seedTenant>> & { caller: Caller };

/** A fresh tenant (unique slug and domain) with one verified domain. */
export async function newTenant(spec: Partial<TenantSpec> = {}): Promise<Tenant> {
  const label = crypto.randomUUID().slice(0, 8);
  const tenant = await seedTenant(testEnv.DB, {
    slug: `send-${label}`,
    domain: `t${label}.example.test`,
    ...spec,
  });
  return { ...tenant, caller: callerFor(tenant.tenantId, tenant.fullKey) };
}

/** Adds a stream to the tenant (as POST /api/streams would store it); a send must name an existing one. */
export async function addStream(
  tenant: Tenant,
  id: string,
  fields: { type?: 'transactional' | 'broadcast'; configuration_set?: string | null } = {},
): Promise<void> {
  const now = new Date().toISOString();
  await testEnv.DB.prepare(
    `INSERT INTO streams (tenant_id, id, name, type, configuration_set, list_unsubscribe, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, ?, ?)
     ON CONFLICT (tenant_id, id) DO UPDATE SET configuration_set = excluded.configuration_set`,
  )
    .bind(tenant.tenantId, id, id, fields.type ?? 'transactional', fields.configuration_set ?? null, now, now)
    .run();
}

/** A valid request from the tenant's domain; `overrides` replace fields. */
export function emailFrom(tenant: Tenant, overrides: Partial<SendEmailRequest> = {}): SendEmailRequest {
  return {
    from: `Acme <hello@${tenant.domain}>`,
    to: 'Ada <ada@customer.test>',
    subject: 'Your order',
    html: '<p>Thanks for your order.</p>',
    text: 'Thanks for your order.',
    ...overrides,
  };
}

export function value<T>(result: RpcResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export function failure<T>(result: RpcResult<T>): { code: string; message: string } {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** Accepts one email over RPC and returns its id. */
export async function accept(tenant: Tenant, overrides: Partial<SendEmailRequest> = {}): Promise<string> {
  return value(await send.accept(tenant.caller, emailFrom(tenant, overrides), null)).id;
}

export interface EmailRowView {
  id: string;
  tenant_id: string;
  domain_id: string;
  stream: string;
  from_address: string;
  subject: string;
  status: string;
  last_event: string;
  to_addresses: string;
  cc_addresses: string;
  bcc_addresses: string;
  suppressed: string;
  scheduled_at: string | null;
  claim_token: string | null;
  claimed_until: string | null;
  attempts: number;
  ses_message_id: string | null;
  error: string | null;
  sent_at: string | null;
  body_key: string;
  body: string | null;
  message_date: string | null;
  ses_receipts: string | null;
}

export function emailRow(id: string) {
  return testEnv.DB.prepare('SELECT * FROM emails WHERE id = ?').bind(id).first<EmailRowView>();
}

export async function setRow(id: string, fields: Record<string, string | number | null>) {
  const names = Object.keys(fields);
  await testEnv.DB.prepare(`UPDATE emails SET ${names.map((name) => `${name} = ?`).join(', ')} WHERE id = ?`)
    .bind(...names.map((name) => fields[name] ?? null), id)
    .run();
}

export async function countRows(tenant: Tenant): Promise<number> {
  return (
    (await testEnv.DB.prepare('SELECT count(*) AS n FROM emails WHERE tenant_id = ?')
      .bind(tenant.tenantId)
      .first<number>('n')) ?? 0
  );
}

/** An email's body as accept stored it: in its row when small, else in R2 (see src/body-store.ts). */
export async function storedBody<T = Record<string, unknown>>(tenant: Tenant, id: string): Promise<T | null> {
  const row = await testEnv.DB.prepare('SELECT body FROM emails WHERE tenant_id = ? AND id = ?')
    .bind(tenant.tenantId, id)
    .first<{ body: string | null }>();
  if (row?.body) return JSON.parse(row.body) as T;
  const object = await testEnv.ARCHIVE.get(`bodies/${tenant.tenantId}/${id}.json`);
  return object ? object.json<T>() : null;
}

export async function r2Keys(prefix: string): Promise<string[]> {
  const listed = await testEnv.ARCHIVE.list({ prefix });
  return listed.objects.map((object) => object.key);
}

export interface Enqueued {
  body: SendQueueMessage;
  delaySeconds: number | undefined;
}

/**
 * Watches SEND_QUEUE: `enqueued()` lists every message the worker sent (send and sendBatch, in
 * order) with its delay. The spies call through, so the messages really go to the (detached) queue.
 */
export function queueSpy() {
  const single = vi.spyOn(testEnv.SEND_QUEUE, 'send');
  const batch = vi.spyOn(testEnv.SEND_QUEUE, 'sendBatch');
  const enqueued = (): Enqueued[] =>
    [
      ...single.mock.calls.map(([body, options], index) => ({
        order: single.mock.invocationCallOrder[index] ?? 0,
        messages: [{ body, delaySeconds: options?.delaySeconds }],
      })),
      ...batch.mock.calls.map(([messages, options], index) => ({
        order: batch.mock.invocationCallOrder[index] ?? 0,
        messages: [...messages].map((message) => ({
          body: message.body,
          delaySeconds: message.delaySeconds ?? options?.delaySeconds,
        })),
      })),
    ]
      .sort((a, b) => a.order - b.order)
      .flatMap((call) => call.messages);
  return { enqueued, send: single, sendBatch: batch };
}

export interface SesRequest {
  url: string;
  authorization: string | null;
  body: {
    FromEmailAddress: string;
    Destination: { ToAddresses: string[]; CcAddresses: string[]; BccAddresses: string[] };
    Content: { Raw: { Data: string } };
    ConfigurationSetName?: string;
    EmailTags: { Name: string; Value: string }[];
  };
  /** Content.Raw.Data decoded: the EML exactly as SES was given it. */
  raw: Uint8Array;
}

type SesAnswer = (request: Request, call: number) => Response | Promise<Response>;

export const sesOk: SesAnswer = (_request, call) =>
  Response.json({ MessageId: `ses-${crypto.randomUUID()}-${call}` });

/** SES refusing with this status and message. */
export const sesError =
  (status: number, message: string): SesAnswer =>
  () =>
    Response.json({ message }, { status, headers: { 'x-amzn-errortype': 'Error' } });

/**
 * Plays SES on fetch. Each call is answered by the next of `answers` (the last one repeats); the
 * default answers 200 with a fresh MessageId.
 */
export function sesStub(...answers: SesAnswer[]) {
  const requests: SesRequest[] = [];
  const script = answers.length > 0 ? answers : [sesOk];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const endpoint = `${testEnv.SES_ENDPOINT}/v2/email/outbound-emails`;
    if (request.url !== endpoint || request.method !== 'POST') {
      throw new Error(`unexpected fetch in a send test: ${request.method} ${request.url}`);
    }
    const body = (await request.clone().json()) as SesRequest['body'];
    requests.push({
      url: request.url,
      authorization: request.headers.get('authorization'),
      body,
      raw: Uint8Array.from(atob(body.Content.Raw.Data), (char) => char.charCodeAt(0)),
    });
    const call = requests.length;
    const answer = script[Math.min(call - 1, script.length - 1)] as SesAnswer;
    return answer(request, call);
  });
  return { requests, spy };
}

/** The message a queued email's accept put on the send queue. */
export function messageFor(tenant: Tenant, emailId: string): SendQueueMessage {
  return { kind: 'send', tenant_id: tenant.tenantId, email_id: emailId };
}

let deliveries = 0;

/** Runs the send worker's queue handler on one batch of these bodies (attempts default to 1). */
export function consume(
  messages: (SendQueueMessage | { body: SendQueueMessage; attempts?: number; id?: string })[],
  envOverrides?: Partial<Record<keyof Env, unknown>>,
): Promise<QueueResult & { ids: string[] }> {
  const bodies = messages.map((message) => {
    const { body, attempts, id } =
      'kind' in message ? { body: message, attempts: 1, id: undefined } : message;
    return { id: id ?? `msg-${++deliveries}`, body, attempts };
  });
  return runQueue<SendQueueMessage>(worker as never, 'mailgrid-send', bodies, envOverrides).then(
    (result) => ({ ...result, ids: bodies.map((body) => body.id) }),
  );
}

export const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
