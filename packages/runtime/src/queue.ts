import type { QueueMessageBase } from '@mailgrid/contracts';

/**
 * The consumer for kinds this worker version has no handler for: each such message is retried, so
 * after the queue's max_retries it lands in the dead-letter queue instead of being lost.
 */
export function retryUnhandled(worker: string, batch: MessageBatch<QueueMessageBase>): void {
  for (const message of batch.messages) {
    console.error(
      JSON.stringify({
        worker,
        queue: batch.queue,
        message_id: message.id,
        kind: message.body?.kind,
        error: 'no handler',
      }),
    );
    message.retry({ delaySeconds: 60 });
  }
}
