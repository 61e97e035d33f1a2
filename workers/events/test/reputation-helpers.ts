// Shared by the reputation and stats tests: many emails on a chosen stream, SES fixtures about them
// retimed to a chosen instant, fed through the real consumer, and the EventsService over real RPC.
import { exports } from 'cloudflare:workers';
import type { EventsRpc, RpcResult } from '@mailgrid/contracts';
import {
  consume,
  type FixtureName,
  notification,
  type SeededEmail,
  sesEvent,
  type Tenant,
  testEnv,
} from './helpers';

export const events = (exports as unknown as { EventsService: EventsRpc }).EventsService;

export function value<T>(result: RpcResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** `count` sent emails of the tenant on `stream`, written in one D1 batch. */
export async function seedEmails(
  tenant: Tenant,
  count: number,
  stream = 'transactional',
): Promise<SeededEmail[]> {
  const now = new Date().toISOString();
  const emails = Array.from({ length: count }, () => ({
    tenant,
    id: crypto.randomUUID(),
    sesMessageId: `0102019${crypto.randomUUID().replaceAll('-', '')}-000000`,
  }));
  await testEnv.DB.batch(
    emails.map((email) =>
      testEnv.DB.prepare(
        `INSERT INTO emails (id, tenant_id, domain_id, stream, from_address, to_addresses, subject, body_key,
           status, last_event, ses_message_id, created_at, sent_at)
         VALUES (?, ?, ?, ?, ?, '["ada@customer.test"]', 'Hi', ?, 'sent', 'sent', ?, ?, ?)`,
      ).bind(
        email.id,
        tenant.tenantId,
        tenant.domainId,
        stream,
        `Acme <hello@${tenant.domain}>`,
        `bodies/${email.id}`,
        email.sesMessageId,
        now,
        now,
      ),
    ),
  );
  return emails;
}

/** Every timestamp of an SES event (the mail's and the event object's) set to `at`. */
function retime(at: string) {
  // biome-ignore lint/suspicious/noExplicitAny: fixtures are free-form JSON.
  return (event: Record<string, any>) => {
    for (const part of Object.values(event)) {
      if (part && typeof part === 'object' && 'timestamp' in part) part.timestamp = at;
    }
  };
}

/**
 * Feeds one `fixture` event per email through the consumer, in full queue batches of 100 (the
 * queue's max_batch_size), which also proves the consumer's lookups stay under D1's 100 bound
 * parameters per statement.
 */
export async function feed(emails: SeededEmail[], fixture: FixtureName, at = new Date()): Promise<void> {
  const bodies = emails.map((email) =>
    notification(sesEvent(fixture, email, { change: retime(at.toISOString()) })),
  );
  for (let start = 0; start < bodies.length; start += 100) {
    const result = await consume(bodies.slice(start, start + 100));
    if (result.retryMessages.length > 0) throw new Error('the consumer retried messages');
  }
}

export interface StateView {
  status: string;
  sent: number;
  bounced: number;
  complained: number;
  warned_at: string | null;
  paused_at: string | null;
  reason: string | null;
}

export async function stateOf(tenant: Tenant, stream = 'transactional'): Promise<StateView | null> {
  return testEnv.DB.prepare('SELECT * FROM reputation_state WHERE tenant_id = ? AND stream = ?')
    .bind(tenant.tenantId, stream)
    .first<StateView>();
}
