// The broadcast queue's consumer: each message is one step of one broadcast's chain (freeze a page
// of the audience, or dispatch a chunk of recipients), and each step queues the next. A step whose
// token the broadcast no longer holds (paused, canceled, rescheduled, or replaced by recovery) stops.
import type { BroadcastQueueMessage } from '@mailgrid/contracts';
import type { Env } from '../env';
import { dispatchStep } from './dispatch';
import { freezeStep } from './freeze';

export type Step = Omit<BroadcastQueueMessage, 'kind'>;

export async function enqueueStep(env: Env, step: Step, delaySeconds: number): Promise<void> {
  await env.BROADCAST_QUEUE.send({ kind: 'broadcast', ...step }, { delaySeconds });
}

export async function consumeBroadcastBatch(
  messages: readonly Message<BroadcastQueueMessage>[],
  env: Env,
): Promise<void> {
  // Steps of different broadcasts run side by side; they share the SES budget through the pacer.
  await Promise.all(
    messages.map(async (message) => {
      try {
        if (message.body.step === 'freeze') await freezeStep(env, message.body);
        else await dispatchStep(env, message.body);
        message.ack();
      } catch (err) {
        // Every step is safe to run again: its writes are conditional on the chain's state.
        console.error(
          JSON.stringify({ worker: 'send', broadcast_id: message.body.broadcast_id, error: String(err) }),
        );
        message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
      }
    }),
  );
}
