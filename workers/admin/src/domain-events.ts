// domain.created / domain.updated / domain.deleted webhook events, in Resend's payload shape: the
// domain as the API shows it, cut to the fields Resend's event carries.
import type { DomainObject } from '@mailgrid/contracts';
import type { Env } from './env';
import { emitWebhookEvent } from './webhook-events';

export function emitDomainEvent(
  env: Env,
  tenantId: string,
  type: 'domain.created' | 'domain.updated' | 'domain.deleted',
  domain: DomainObject,
) {
  return emitWebhookEvent(env, tenantId, type, {
    id: domain.id,
    name: domain.name,
    status: domain.status,
    created_at: domain.created_at,
    region: domain.region,
    records: domain.records,
  });
}
