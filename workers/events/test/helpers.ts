// Shared by the events worker's tests: tenants and emails written straight to D1, SES event
// fixtures (realistic samples in fixtures/) pointed at a seeded email, and the queue handler run on
// chosen batches.
import { env } from 'cloudflare:workers';
import type { Caller, QueueMessageBase, SesNotificationMessage } from '@mailgrid/contracts';
import { createDb, listEventsOfEmail } from '@mailgrid/db';
import { callerFor, seedTenant } from '@mailgrid/testing/fixtures';
import { type QueueResult, runQueue } from '@mailgrid/testing/queue';
import type { Env } from '../src/env';
import worker from '../src/index';
import bouncePermanent from './fixtures/bounce-permanent.json';
import bounceTransient from './fixtures/bounce-transient.json';
import click from './fixtures/click.json';
import complaint from './fixtures/complaint.json';
import delivery from './fixtures/delivery.json';
import deliveryDelay from './fixtures/delivery-delay.json';
import open from './fixtures/open.json';
import reject from './fixtures/reject.json';
import renderingFailure from './fixtures/rendering-failure.json';
import send from './fixtures/send.json';
import subscription from './fixtures/subscription.json';

export const testEnv = env as unknown as Env;

export const FIXTURES = {
  send,
  delivery,
  'bounce-permanent': bouncePermanent,
  'bounce-transient': bounceTransient,
  complaint,
  reject,
  'delivery-delay': deliveryDelay,
  'rendering-failure': renderingFailure,
  open,
  click,
  subscription,
} as const;
export type FixtureName = keyof typeof FIXTURES;

export type Tenant = Awaited<ReturnType<typeof seedTenant>> & { caller: Caller };

export async function newTenant(): Promise<Tenant> {
  const label = crypto.randomUUID().slice(0, 8);
  const tenant = await seedTenant(testEnv.DB, { slug: `events-${label}`, domain: `t${label}.example.test` });
  return { ...tenant, caller: callerFor(tenant.tenantId, tenant.fullKey) };
}

/** A fixture as a test edits it: any field of whichever event object the test reaches into. */
// biome-ignore lint/suspicious/noExplicitAny: fixtures are free-form JSON that tests reshape on purpose.
type SesEventJson = Record<string, any>;

export interface SeededEmail {
  tenant: Tenant;
  id: string;
  sesMessageId: string;
}

/** An email as the send worker leaves it after SES took it: status sent, last_event sent. */
export async function seedEmail(tenant: Tenant, lastEvent = 'sent'): Promise<SeededEmail> {
  const id = crypto.randomUUID();
  const sesMessageId = `0102019${crypto.randomUUID().replaceAll('-', '')}-000000`;
  await testEnv.DB.prepare(
    `INSERT INTO emails (id, tenant_id, domain_id, from_address, to_addresses, subject, body_key, status,
       last_event, ses_message_id, created_at, sent_at)
     VALUES (?, ?, ?, ?, ?, 'Your order', ?, 'sent', ?, ?, ?, ?)`,
  )
    .bind(
      id,
      tenant.tenantId,
      tenant.domainId,
      `Acme <hello@${tenant.domain}>`,
      JSON.stringify(['Ada <ada@customer.test>']),
      `bodies/${id}`,
      lastEvent,
      sesMessageId,
      new Date().toISOString(),
      new Date().toISOString(),
    )
    .run();
  return { tenant, id, sesMessageId };
}

/**
 * The fixture's SES event about `email`: its SES message id, and (unless `tags: false`) the
 * mailgrid_* tags the send worker attaches. `change` edits the parsed event before it is written.
 */
export function sesEvent(
  name: FixtureName,
  email: SeededEmail,
  options: { tags?: boolean; change?: (event: SesEventJson) => void } = {},
): string {
  const event = structuredClone(FIXTURES[name]) as SesEventJson;
  event.mail.messageId = email.sesMessageId;
  event.mail.commonHeaders.messageId = email.sesMessageId;
  if (options.tags === false) {
    delete event.mail.tags.mailgrid_email_id;
    delete event.mail.tags.mailgrid_tenant_id;
  } else {
    event.mail.tags.mailgrid_email_id = [email.id];
    event.mail.tags.mailgrid_tenant_id = [email.tenant.tenantId];
  }
  options.change?.(event);
  return JSON.stringify(event);
}

/** The queue message the gateway enqueues for one SNS delivery. */
export function notification(
  message: string,
  snsMessageId: string = crypto.randomUUID(),
): SesNotificationMessage {
  return {
    kind: 'ses.notification',
    sns_message_id: snsMessageId,
    topic_arn: 'arn:aws:sns:eu-west-1:123456789012:mailgrid-ses-events',
    received_at: new Date().toISOString(),
    message,
  };
}

let deliveries = 0;

/** Runs the events worker's queue handler on one batch. */
export async function consume(bodies: QueueMessageBase[]): Promise<QueueResult & { ids: string[] }> {
  const messages = bodies.map((body) => ({ id: `msg-${++deliveries}`, body }));
  const result = await runQueue<QueueMessageBase>(worker as never, 'mailgrid-events', messages);
  return { ...result, ids: messages.map((message) => message.id) };
}

export interface EventRowView {
  id: string;
  tenant_id: string;
  email_id: string;
  type: string;
  recipient: string | null;
  occurred_at: string;
  source: string;
  dedupe_key: string;
  data: string;
  machine: number;
}

/** The email's events as the API lists them (oldest first); none for an email that is not there. */
export async function eventsOf(emailId: string): Promise<EventRowView[]> {
  const tenantId = await testEnv.DB.prepare('SELECT tenant_id FROM emails WHERE id = ?')
    .bind(emailId)
    .first<string>('tenant_id');
  return tenantId
    ? ((await listEventsOfEmail(createDb(testEnv.DB), tenantId, emailId)) as EventRowView[])
    : [];
}

export async function lastEventOf(emailId: string): Promise<string | null> {
  return testEnv.DB.prepare('SELECT last_event FROM emails WHERE id = ?')
    .bind(emailId)
    .first<string>('last_event');
}

export async function suppressionOf(tenant: Tenant, address: string): Promise<string | null> {
  return testEnv.DB.prepare('SELECT reason FROM suppressions WHERE tenant_id = ? AND email = ?')
    .bind(tenant.tenantId, address)
    .first<string>('reason');
}
