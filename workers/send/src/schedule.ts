// `scheduled_at`: ISO 8601 with a time zone, or the natural-language forms Resend documents ("in 1
// min", "in 2 hours", "tomorrow at 9am", "Friday at 3pm ET"; UTC unless a zone is named). Resolved
// once, when the request is accepted: what is stored is the absolute time.
import { AppError, EMAIL_LIMITS } from '@mailgrid/contracts';
import { parseNaturalTime } from './natural-time';

const DAY_MS = 86_400_000;
/** A time this close behind the clock (a client's clock running slow, "in 0 minutes") means now. */
export const SCHEDULE_GRACE_MS = 60_000;

export const SCHEDULE_FORMS =
  'ISO 8601 with a time zone (2026-12-01T09:00:00Z, 2026-12-01T10:00:00+01:00) or Resend\'s natural language: "in 1 min", "in 2 hours", "in 3 days", "tomorrow at 9am", "Friday at 3pm ET", "next monday at 17:30 UTC+2" (UTC unless a zone is named)';

export function parseScheduledAt(input: string, now = new Date(), field = 'scheduled_at'): Date {
  const at = parseIso(input.trim()) ?? parseNaturalTime(input, now);
  if (!at)
    throw new AppError('invalid_parameter', `${field}: "${input}" is not a date. Use ${SCHEDULE_FORMS}.`);
  if (at.getTime() < now.getTime() - SCHEDULE_GRACE_MS) {
    throw new AppError(
      'invalid_parameter',
      `${field}: "${input}" is ${at.toISOString()}, in the past; scheduled_at must be in the future.`,
    );
  }
  if (at.getTime() > now.getTime() + EMAIL_LIMITS.schedule_days * DAY_MS) {
    throw new AppError(
      'invalid_parameter',
      `${field}: "${input}" is ${at.toISOString()}; scheduled_at must be within ${EMAIL_LIMITS.schedule_days} days.`,
    );
  }
  return at.getTime() < now.getTime() ? now : at;
}

/** ISO 8601 only with a zone: a bare local time would mean different instants to different readers. */
function parseIso(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}[tT ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([zZ]|[+-]\d{2}:?\d{2})$/.test(text))
    return null;
  const at = new Date(text.replace(' ', 'T').toUpperCase());
  return Number.isNaN(at.getTime()) ? null : at;
}
