// `scheduled_at`: ISO 8601 with a time zone, or the natural-language forms Resend accepts
// ("in 1 hour", "in 30 minutes", "tomorrow at 9am", "tomorrow at 17:30"; times are UTC).
import { AppError, EMAIL_LIMITS } from '@mailgrid/contracts';

const UNIT_MS = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
} as const;

export function parseScheduledAt(input: string, now = new Date()): Date {
  const at = parse(input.trim().toLowerCase(), now);
  if (!at) {
    throw new AppError(
      'invalid_parameter',
      `scheduled_at: "${input}" is not a date. Use ISO 8601 with a time zone (2026-12-01T09:00:00Z) or e.g. "in 1 hour".`,
    );
  }
  if (at.getTime() <= now.getTime())
    throw new AppError('invalid_parameter', 'scheduled_at must be in the future.');
  if (at.getTime() > now.getTime() + EMAIL_LIMITS.schedule_days * UNIT_MS.day) {
    throw new AppError(
      'invalid_parameter',
      `scheduled_at must be within ${EMAIL_LIMITS.schedule_days} days.`,
    );
  }
  return at;
}

function parse(text: string, now: Date): Date | null {
  const relative = /^in (\d{1,5}) (second|minute|hour|day|week)s?$/.exec(text);
  if (relative)
    return new Date(now.getTime() + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  const tomorrow = /^tomorrow(?: at (\d{1,2})(?::(\d{2}))? ?(am|pm)?)?$/.exec(text);
  if (tomorrow) {
    let hour = tomorrow[1] ? Number(tomorrow[1]) : 9;
    const minute = tomorrow[2] ? Number(tomorrow[2]) : 0;
    if (tomorrow[3] === 'pm' && hour < 12) hour += 12;
    if (tomorrow[3] === 'am' && hour === 12) hour = 0;
    if (hour > 23 || minute > 59) return null;
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, hour, minute));
  }
  // ISO 8601 only, and only with a zone: a bare local time would mean different instants to different readers.
  if (!/^\d{4}-\d{2}-\d{2}t\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(z|[+-]\d{2}:?\d{2})$/.test(text)) return null;
  const at = new Date(text.toUpperCase());
  return Number.isNaN(at.getTime()) ? null : at;
}
