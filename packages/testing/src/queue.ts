// Runs a worker's queue handler on a batch, inside workerd, and reports what it did with each message.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

/** getQueueResult's answer (its type is declared only in @cloudflare/workers-types/experimental). */
export interface QueueResult {
  ackAll: boolean;
  explicitAcks: string[];
  retryMessages: { msgId: string; delaySeconds?: number }[];
}

export async function runQueue<Body>(
  handler: ExportedHandler<never, Body>,
  queue: string,
  bodies: { id: string; body: Body; attempts?: number }[],
): Promise<QueueResult> {
  const batch = createMessageBatch<Body>(
    queue,
    bodies.map(({ id, body, attempts }) => ({ id, body, attempts: attempts ?? 1, timestamp: new Date() })),
  );
  const ctx = createExecutionContext();
  await handler.queue?.(batch, env as never, ctx);
  return getQueueResult(batch, ctx);
}
