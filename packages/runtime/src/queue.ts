import type { QueueMessageBase } from '@mailgrid/contracts';

/**
 * The consumer for kinds this worker version has no handler for: each such message is retried, so
 * after the queue's max_retries it lands in the dead-letter queue instead of being lost.
 */
export function retryUnhandled(
  worker: string,
  queue: string,
  messages: readonly Message<QueueMessageBase>[],
): void {
  for (const message of messages) {
    console.error(
      JSON.stringify({
        worker,
        queue,
        message_id: message.id,
        kind: message.body?.kind,
        error: 'no handler',
      }),
    );
    message.retry({ delaySeconds: 60 });
  }
}
