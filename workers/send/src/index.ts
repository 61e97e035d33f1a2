// mailgrid-send: the SendService RPC entrypoint (accept, read, reschedule, cancel; broadcasts' send,
// pause, resume, cancel and test) and the consumers of the send and broadcast queues.

import { WorkerEntrypoint } from 'cloudflare:workers';
import {
  type AttachmentContent,
  type AttachmentList,
  type AttachmentObject,
  type BatchResponse,
  type BatchValidation,
  type BroadcastQueueMessage,
  type BroadcastRef,
  type Caller,
  type EmailList,
  type EmailObject,
  type IdempotencyInput,
  type ListEmailsQuery,
  type RawEmail,
  type RecoveryReport,
  type RpcResult,
  type SendEmailRequest,
  type SendQueueMessage,
  type SendRpc,
  type SharedEmail,
  type ShareEmailRequest,
  type ShareEmailResponse,
  toRpcResult,
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
import { acceptBatch, acceptEmail } from './accept';
import { listAttachments, openAttachment, readAttachment } from './attachments';
import { cancelBroadcast, pauseBroadcast, resumeBroadcast, sendBroadcast } from './broadcasts/lifecycle';
import { sweepStalledBroadcasts } from './broadcasts/recovery';
import { consumeBroadcastBatch } from './broadcasts/steps';
import { testBroadcast } from './broadcasts/test-send';
import { consumeSendBatch } from './consumer';
import { cancel, readEmail, readEmails, reschedule } from './emails';
import { config, type Env } from './env';
import { readRawEmail } from './raw';
import { openSharedEmail, shareEmail } from './share';
import { sweepStranded } from './sweeper';

// Send's own SES pacing buckets (RATE_LIMITER); the gateway hosts its own for the API limit.
export { RateLimiter } from '@mailgrid/rate-limiter';

/** What the cost meter counts (@mailgrid/runtime metered-env): each RPC call and queue batch logs one line. */
const METERED: MeteredBindings<Env> = {
  DB: 'd1',
  ARCHIVE: 'r2',
  FILES: 'r2',
  RATE_LIMITER: 'durable_object',
  SEND_QUEUE: 'queue',
  BROADCAST_QUEUE: 'queue',
  EVENTS_QUEUE: 'queue',
};

export class SendService extends WorkerEntrypoint<Env> implements SendRpc {
  async recover(): Promise<RecoveryReport> {
    return {
      emails: await sweepStranded(this.env),
      broadcasts: await sweepStalledBroadcasts(this.env),
    };
  }

  async health(): Promise<WorkerHealth> {
    const { env } = this;
    return checkHealth('send', config(env).ENVIRONMENT, {
      d1: probes.d1(env.DB),
      archive: probes.r2(env.ARCHIVE),
      files: probes.r2(env.FILES),
      // Cost 0 reads the SES pacing bucket without spending it: proves the DO binding works.
      rate_limiter: () =>
        env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName('health')).take({ per_second: 1, burst: 1 }, 0),
    });
  }

  async accept(
    caller: Caller,
    email: SendEmailRequest,
    idempotency: IdempotencyInput | null,
  ): Promise<RpcResult<{ id: string }>> {
    return toRpcResult(() => acceptEmail(this.env, caller, email, idempotency));
  }

  async acceptBatch(
    caller: Caller,
    emails: { index: number; email: SendEmailRequest }[],
    invalid: { index: number; message: string }[],
    mode: BatchValidation,
    idempotency: IdempotencyInput | null,
  ): Promise<RpcResult<BatchResponse>> {
    return toRpcResult(() => acceptBatch(this.env, caller, emails, invalid, mode, idempotency));
  }

  async getEmail(caller: Caller, id: string): Promise<RpcResult<EmailObject>> {
    return toRpcResult(() => readEmail(this.env, caller, id));
  }

  async getRawEmail(caller: Caller, id: string, recipient?: string): Promise<RpcResult<RawEmail>> {
    return toRpcResult(() => readRawEmail(this.env, caller, id, recipient));
  }

  async listEmails(caller: Caller, query: ListEmailsQuery): Promise<RpcResult<EmailList>> {
    return toRpcResult(() => readEmails(this.env, caller, query));
  }

  async reschedule(
    caller: Caller,
    id: string,
    scheduledAt: string,
  ): Promise<RpcResult<{ object: 'email'; id: string }>> {
    return toRpcResult(() => reschedule(this.env, caller, id, scheduledAt));
  }

  async cancel(caller: Caller, id: string): Promise<RpcResult<{ object: 'email'; id: string }>> {
    return toRpcResult(() => cancel(this.env, caller, id));
  }

  async listAttachments(caller: Caller, emailId: string, origin: string): Promise<RpcResult<AttachmentList>> {
    return toRpcResult(() => listAttachments(this.env, caller, emailId, origin));
  }

  async getAttachment(
    caller: Caller,
    emailId: string,
    attachmentId: string,
    origin: string,
  ): Promise<RpcResult<AttachmentObject>> {
    return toRpcResult(() => readAttachment(this.env, caller, emailId, attachmentId, origin));
  }

  async shareEmail(
    caller: Caller,
    emailId: string,
    input: ShareEmailRequest,
    origin: string,
  ): Promise<RpcResult<ShareEmailResponse>> {
    return toRpcResult(() => shareEmail(this.env, caller, emailId, input, origin));
  }

  async openAttachment(token: string): Promise<RpcResult<AttachmentContent>> {
    return toRpcResult(() => openAttachment(this.env, token));
  }

  async openSharedEmail(token: string): Promise<RpcResult<SharedEmail>> {
    return toRpcResult(() => openSharedEmail(this.env, token));
  }

  async sendBroadcast(
    caller: Caller,
    id: string,
    scheduledAt: string | null,
  ): Promise<RpcResult<BroadcastRef>> {
    return toRpcResult(() => sendBroadcast(this.env, caller, id, scheduledAt));
  }

  async pauseBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastRef>> {
    return toRpcResult(() => pauseBroadcast(this.env, caller, id));
  }

  async resumeBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastRef>> {
    return toRpcResult(() => resumeBroadcast(this.env, caller, id));
  }

  async cancelBroadcast(caller: Caller, id: string): Promise<RpcResult<BroadcastRef>> {
    return toRpcResult(() => cancelBroadcast(this.env, caller, id));
  }

  async testBroadcast(caller: Caller, id: string, to: string[]) {
    return toRpcResult(() => testBroadcast(this.env, caller, id, to));
  }
}
meterEntrypoint(SendService, 'send', METERED);

export default {
  // Internal worker: reached over RPC only.
  async fetch() {
    return new Response('Not found', { status: 404 });
  },
  queue: (batch, env, ctx) => runMeteredQueue('send', batch, env, METERED, ctx, consume),
} satisfies ExportedHandler<Env, SendQueueMessage | BroadcastQueueMessage | { kind: string }>;

async function consume(batch: MessageBatch<{ kind: string }>, env: Env): Promise<void> {
  // The send queue (one email per message) or the broadcasts queue (one step per message).
  if (batch.queue.startsWith('mailgrid-broadcasts')) {
    const isStep = (message: Message<{ kind: string }>): message is Message<BroadcastQueueMessage> =>
      message.body?.kind === 'broadcast';
    retryUnhandled(
      'send',
      batch.queue,
      batch.messages.filter((message) => !isStep(message)),
    );
    await consumeBroadcastBatch(batch.messages.filter(isStep), env);
    return;
  }
  const isSend = (message: Message<{ kind: string }>): message is Message<SendQueueMessage> =>
    message.body?.kind === 'send';
  // Kinds this version does not know go to the DLQ by way of retries, never dropped.
  retryUnhandled(
    'send',
    batch.queue,
    batch.messages.filter((message) => !isSend(message)),
  );
  await consumeSendBatch(batch.messages.filter(isSend), env);
}
