// Runs a worker's queue handler on a batch, inside workerd, and reports what it did with each message.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

/** getQueueResult's answer (its type is declared only in @cloudflare/workers-types/experimental). */
export interface QueueResult {
  ackAll: boolean;
  explicitAcks: string[];
  /** `delaySeconds` is what the handler passed to `retry()` (getQueueResult itself drops it). */
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

/**
 * `envOverrides` replaces some of the worker's bindings or vars for this one run (e.g. a shorter
 * timeout); everything else is the test worker's real env.
 */
export async function runQueue<Body>(
  handler: ExportedHandler<never, Body>,
  queue: string,
  bodies: { id: string; body: Body; attempts?: number }[],
  envOverrides?: Record<string, unknown>,
): Promise<QueueResult> {
  const batch = createMessageBatch<Body>(
    queue,
    bodies.map(({ id, body, attempts }) => ({ id, body, attempts: attempts ?? 1, timestamp: new Date() })),
  );
  // The test batch's retry() ignores its options; remember each message's delay on the way through.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry;
    message.retry = function (this: Message<Body>, options?: QueueRetryOptions) {
      delays.set(message.id, options?.delaySeconds);
      return retry.call(this, options);
    };
  }
  const ctx = createExecutionContext();
  await handler.queue?.(batch, (envOverrides ? { ...env, ...envOverrides } : env) as never, ctx);
  const result: QueueResult = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map(({ msgId }) =>
      delays.get(msgId) === undefined ? { msgId } : { msgId, delaySeconds: delays.get(msgId) },
    ),
  };
}
