/** Cloudflare Queues delay a message by 12 hours at most; later schedules hop (see consumer.ts). */
export const MAX_QUEUE_DELAY_SECONDS = 12 * 60 * 60;

export function queueDelaySeconds(at: Date, now = new Date()): number {
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 1000)));
}
