// Pure functions of scheduling and retrying, run in workerd: the `scheduled_at` parser, the queue
// delay (Cloudflare Queues delay a message 12 hours at most) and the retry backoff.
import { AppError } from '@mailgrid/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffSeconds, MAX_ATTEMPTS } from '../src/consumer';
import { MAX_QUEUE_DELAY_SECONDS, queueDelaySeconds } from '../src/queue-delay';
import { parseScheduledAt } from '../src/schedule';

const NOW = new Date('2026-03-10T14:20:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function refused(input: string, now = NOW): AppError {
  try {
    parseScheduledAt(input, now);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_parameter');
    return err as AppError;
  }
  throw new Error(`"${input}" was accepted`);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseScheduledAt: ISO 8601', () => {
  it.each([
    ['2026-03-11T09:00:00Z', '2026-03-11T09:00:00.000Z'],
    ['2026-03-11T09:00:00.250Z', '2026-03-11T09:00:00.250Z'],
    ['2026-03-11T09:00Z', '2026-03-11T09:00:00.000Z'],
    ['2026-03-11t09:00:00z', '2026-03-11T09:00:00.000Z'],
    ['2026-03-11T09:00:00+02:00', '2026-03-11T07:00:00.000Z'],
    ['2026-03-11T09:00:00-05:30', '2026-03-11T14:30:00.000Z'],
    ['2026-03-11T09:00:00+0200', '2026-03-11T07:00:00.000Z'],
    ['  2026-03-11T09:00:00Z  ', '2026-03-11T09:00:00.000Z'],
  ])('%s is %s', (input, expected) => {
    expect(parseScheduledAt(input, NOW).toISOString()).toBe(expected);
  });

  it.each(['2026-03-11T09:00:00', '2026-03-11 09:00:00', '2026-03-11'])(
    '%s (no time zone) is refused: it would mean different instants to different readers',
    (input) => {
      expect(refused(input).message).toContain('is not a date');
    },
  );

  it('refuses an impossible date', () => {
    expect(refused('2026-13-45T09:00:00Z').message).toContain('is not a date');
  });
});

describe('parseScheduledAt: natural language (UTC)', () => {
  it.each([
    ['in 5 minutes', 5 * MINUTE],
    ['in 1 minute', MINUTE],
    ['in 30 seconds', 30_000],
    ['in 1 hour', HOUR],
    ['In 2 Hours', 2 * HOUR],
    ['in 3 days', 3 * DAY],
    ['in 2 weeks', 14 * DAY],
  ])('"%s" is that long from now', (input, ms) => {
    expect(parseScheduledAt(input, NOW).getTime()).toBe(NOW.getTime() + ms);
  });

  it.each([
    ['tomorrow', '2026-03-11T09:00:00.000Z'],
    ['tomorrow at 9am', '2026-03-11T09:00:00.000Z'],
    ['tomorrow at 9 am', '2026-03-11T09:00:00.000Z'],
    ['tomorrow at 5pm', '2026-03-11T17:00:00.000Z'],
    ['Tomorrow at 5PM', '2026-03-11T17:00:00.000Z'],
    ['tomorrow at 17:30', '2026-03-11T17:30:00.000Z'],
    ['tomorrow at 9:15am', '2026-03-11T09:15:00.000Z'],
    ['tomorrow at 12am', '2026-03-11T00:00:00.000Z'],
    ['tomorrow at 12pm', '2026-03-11T12:00:00.000Z'],
    ['tomorrow at 0:05', '2026-03-11T00:05:00.000Z'],
  ])('"%s" is %s', (input, expected) => {
    expect(parseScheduledAt(input, NOW).toISOString()).toBe(expected);
  });

  it('"tomorrow" crosses month and year ends', () => {
    expect(parseScheduledAt('tomorrow at 8am', new Date('2026-12-31T23:00:00Z')).toISOString()).toBe(
      '2027-01-01T08:00:00.000Z',
    );
  });

  it.each([
    'tomorrow at 24:00',
    'tomorrow at 9:60',
    'in five minutes',
    'in 5 fortnights',
    'in -5 minutes',
    'next tuesday',
    'now',
    '',
    'garbage',
    '1773152400',
  ])('"%s" is refused as not a date', (input) => {
    expect(refused(input).message).toContain('is not a date');
  });
});

describe('parseScheduledAt: the window', () => {
  it('refuses the past and the present', () => {
    expect(refused('2026-03-10T14:19:59Z').message).toBe('scheduled_at must be in the future.');
    expect(refused(NOW.toISOString()).message).toBe('scheduled_at must be in the future.');
    expect(refused('in 0 minutes').message).toBe('scheduled_at must be in the future.');
  });

  it('accepts up to 30 days ahead and refuses anything later', () => {
    expect(parseScheduledAt('in 30 days', NOW).getTime()).toBe(NOW.getTime() + 30 * DAY);
    expect(parseScheduledAt('2026-04-09T14:20:00Z', NOW).getTime()).toBe(NOW.getTime() + 30 * DAY);
    expect(refused('2026-04-09T14:20:01Z').message).toBe('scheduled_at must be within 30 days.');
    expect(refused('in 31 days').message).toBe('scheduled_at must be within 30 days.');
    expect(refused('in 5 weeks').message).toBe('scheduled_at must be within 30 days.');
  });

  it('names the input in its error', () => {
    expect(refused('someday').message).toContain('"someday"');
  });
});

describe('queueDelaySeconds', () => {
  it('is the whole seconds until the time, rounded up', () => {
    expect(queueDelaySeconds(new Date(NOW.getTime() + 90_000), NOW)).toBe(90);
    expect(queueDelaySeconds(new Date(NOW.getTime() + 1), NOW)).toBe(1);
    expect(queueDelaySeconds(new Date(NOW.getTime() + 12 * HOUR), NOW)).toBe(12 * 3600);
  });

  it('is 0 for a time already past', () => {
    expect(queueDelaySeconds(NOW, NOW)).toBe(0);
    expect(queueDelaySeconds(new Date(NOW.getTime() - HOUR), NOW)).toBe(0);
  });

  it('caps at the 12 hours a queue message can wait (later schedules hop)', () => {
    expect(MAX_QUEUE_DELAY_SECONDS).toBe(43_200);
    expect(queueDelaySeconds(new Date(NOW.getTime() + 12 * HOUR + 1000), NOW)).toBe(43_200);
    expect(queueDelaySeconds(new Date(NOW.getTime() + 30 * DAY), NOW)).toBe(43_200);
  });
});

describe('backoffSeconds', () => {
  it('stays within [ceiling/2, ceiling] of 2^attempt, at least 1 s, and never more than 15 minutes', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(15 * 60, 2 ** attempt);
      for (const random of [0, 0.5, 0.999999]) {
        vi.spyOn(Math, 'random').mockReturnValue(random);
        const delay = backoffSeconds(attempt);
        expect(delay).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(ceiling / 2)));
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('grows with the attempt: 1–2 s first, 450–900 s from the tenth on', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoffSeconds(1)).toBe(1);
    expect(backoffSeconds(3)).toBe(4);
    expect(backoffSeconds(10)).toBe(450);
    vi.spyOn(Math, 'random').mockReturnValue(0.999999);
    expect(backoffSeconds(1)).toBe(2);
    expect(backoffSeconds(3)).toBe(8);
    expect(backoffSeconds(10)).toBe(900);
    expect(backoffSeconds(50)).toBe(900);
  });

  it('is jittered: the same attempt does not always wait the same', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffSeconds(8)));
    expect(delays.size).toBeGreaterThan(1);
  });

  it(`spreads the ${MAX_ATTEMPTS} attempts over minutes, not seconds`, () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let total = 0;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) total += backoffSeconds(attempt);
    expect(total).toBeGreaterThan(60);
  });
});
