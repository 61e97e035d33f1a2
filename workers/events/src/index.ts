// mailgrid-events: the EventsService RPC entrypoint, the consumer of the events and webhooks queues,
// and the sweep of webhook deliveries stranded by a lost queue message.

import { WorkerEntrypoint } from 'cloudflare:workers';
import {
  type Caller,
  type EmailEventList,
  type EmailMetricsQuery,
  type EmailMetricsResponse,
  type EventsRpc,
  type QueueMessageBase,
  type RecoveryReport,
  type ReputationList,
  type ResumeResponse,
  type RpcResult,
  type SendFailedMessage,
  type SesNotificationMessage,
  type StatsQuery,
  type StatsResponse,
  type TrackingEventMessage,
  toRpcResult,
  type WebhookDeliverMessage,
  type WorkerHealth,
} from '@mailgrid/contracts';
import {
  checkHealth,
  type MeteredBindings,
  meterEntrypoint,
  probes,
  retryUnhandled,
  runMeteredQueue,
} from '@mailgrid/runtime';
import { consumeSesBatch } from './consumer';
import { readEmailEvents } from './email-events';
import { readEmailMetrics } from './email-metrics';
import { config, type Env } from './env';
import { readReputation, resumeSending } from './reputation';
import { consumeSendFailures } from './send-failures';
import { readStats } from './stats';
import { consumeTrackingBatch } from './tracking';
import { deliverWebhooks } from './webhooks/deliver';
import { sweepStrandedDeliveries } from './webhooks/sweeper';

/** What the cost meter counts (@mailgrid/runtime metered-env): each RPC call and queue batch logs one line. */
const METERED: MeteredBindings<Env> = { DB: 'd1', WEBHOOKS_QUEUE: 'queue' };

export class EventsService extends WorkerEntrypoint<Env> implements EventsRpc {
  /** The platform's recovery cron (the gateway's, each minute): webhook deliveries whose queue message was lost. */
  async recover(): Promise<RecoveryReport> {
    return { webhook_deliveries: await sweepStrandedDeliveries(this.env) };
  }

  async health(): Promise<WorkerHealth> {
    return checkHealth('events', config(this.env).ENVIRONMENT, { d1: probes.d1(this.env.DB) });
  }

  async listEmailEvents(caller: Caller, emailId: string): Promise<RpcResult<EmailEventList>> {
    return toRpcResult(() => readEmailEvents(this.env, caller, emailId));
  }

  async getReputation(caller: Caller): Promise<RpcResult<ReputationList>> {
    return toRpcResult(() => readReputation(this.env, caller));
  }

  async resumeSending(caller: Caller, stream?: string): Promise<RpcResult<ResumeResponse>> {
    return toRpcResult(() => resumeSending(this.env, caller, stream));
  }

  async getStats(caller: Caller, query: StatsQuery): Promise<RpcResult<StatsResponse>> {
    return toRpcResult(() => readStats(this.env, caller, query));
  }

  async getEmailMetrics(caller: Caller, query: EmailMetricsQuery): Promise<RpcResult<EmailMetricsResponse>> {
    return toRpcResult(() => readEmailMetrics(this.env, caller, query));
  }
}
meterEntrypoint(EventsService, 'events', METERED);

export default {
  // Internal worker: reached over RPC and queues only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
  queue: (batch, env, ctx) => runMeteredQueue('events', batch, env, METERED, ctx, consume),
} satisfies ExportedHandler<Env, QueueMessageBase>;

/** One batch of the events or webhooks queue: each kind to its consumer. */
async function consume(batch: MessageBatch<QueueMessageBase>, env: Env): Promise<void> {
  const ses: Message<SesNotificationMessage>[] = [];
  const tracking: Message<TrackingEventMessage>[] = [];
  const webhooks: Message<WebhookDeliverMessage>[] = [];
  const failures: Message<SendFailedMessage>[] = [];
  const unhandled: Message<QueueMessageBase>[] = [];
  for (const message of batch.messages) {
    if (message.body?.kind === 'ses.notification') ses.push(message as Message<SesNotificationMessage>);
    else if (message.body?.kind === 'tracking.event') tracking.push(message as Message<TrackingEventMessage>);
    else if (message.body?.kind === 'webhook.deliver')
      webhooks.push(message as Message<WebhookDeliverMessage>);
    else if (message.body?.kind === 'send.failed') failures.push(message as Message<SendFailedMessage>);
    else unhandled.push(message);
  }
  // Kinds this version does not know are retried (and end in the DLQ), never dropped.
  retryUnhandled('events', batch.queue, unhandled);
  await consumeSesBatch(ses, env);
  await consumeTrackingBatch(tracking, env);
  await consumeSendFailures(failures, env);
  await deliverWebhooks(webhooks, env);
}
