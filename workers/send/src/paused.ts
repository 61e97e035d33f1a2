// The reputation guardrail's side of accept: a stream the events worker paused (bounce or complaint
// rate at SES's review levels) takes no new email until the tenant resumes it. Read once per request,
// in the accept's read batch (lookups.ts).
import { AppError } from '@mailgrid/contracts';

export type PausedStreams = Map<string, { reason: string | null }>;

/** Throws sending_paused when the email's stream is paused; `at` prefixes a batch index. */
export function assertNotPaused(paused: PausedStreams, stream: string | undefined, at = ''): void {
  const name = stream ?? 'transactional';
  const hit = paused.get(name);
  if (!hit) return;
  throw new AppError(
    'sending_paused',
    `${at ? `${at}: ` : ''}Sending on stream "${name}" is paused by the reputation guardrail: ` +
      `${hit.reason ?? 'bounce or complaint rate too high'}. Remove the bad addresses (or fix the cause ` +
      `of the complaints), then resume with POST /api/reputation/resume {"stream":"${name}"}; ` +
      'GET /api/reputation shows the current rates.',
  );
}
