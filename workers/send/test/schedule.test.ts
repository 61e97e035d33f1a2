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
    // Resend's changelog example, and the abbreviations its users write.
    ['in 1 min', MINUTE],
    ['in 10 mins', 10 * MINUTE],
    ['in 45 secs', 45_000],
    ['in 2 hrs', 2 * HOUR],
    ['in 2h', 2 * HOUR],
    ['in an hour', HOUR],
    ['in a day', DAY],
    ['  in   1   min ', MINUTE],
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

  // NOW is Tuesday 2026-03-10 14:20 UTC.
  it.each([
    ['friday at 3pm', '2026-03-13T15:00:00.000Z'],
    ['Friday at 3pm ET', '2026-03-13T19:00:00.000Z'], // EDT (UTC-4) from 8 March
    ['friday at 3pm EST', '2026-03-13T20:00:00.000Z'],
    ['friday 3pm PT', '2026-03-13T22:00:00.000Z'],
    ['on friday', '2026-03-13T09:00:00.000Z'],
    ['fri at 9:30', '2026-03-13T09:30:00.000Z'],
    ['tuesday at 5pm', '2026-03-10T17:00:00.000Z'], // today, still ahead
    ['tuesday at 9am', '2026-03-17T09:00:00.000Z'], // today's has passed: next week's
    ['next tuesday', '2026-03-17T09:00:00.000Z'],
    ['next friday at noon', '2026-03-13T12:00:00.000Z'], // the coming one (never today)
    ['today at 6pm', '2026-03-10T18:00:00.000Z'],
    ['tomorrow at 9am CET', '2026-03-11T08:00:00.000Z'],
    ['tomorrow at 9am UTC+2', '2026-03-11T07:00:00.000Z'],
    ['tomorrow at 09:00 GMT-05:30', '2026-03-11T14:30:00.000Z'],
    ['tomorrow at 9am Europe/Paris', '2026-03-11T08:00:00.000Z'],
    ['tomorrow at 9am America/New_York', '2026-03-11T13:00:00.000Z'],
    ['at 5pm', '2026-03-10T17:00:00.000Z'],
    ['at 8am', '2026-03-11T08:00:00.000Z'],
    ['17:30 utc', '2026-03-10T17:30:00.000Z'],
  ])('"%s" is %s', (input, expected) => {
    expect(parseScheduledAt(input, NOW).toISOString()).toBe(expected);
  });

  it('a day is read in the named zone: late evening in Los Angeles is already tomorrow in UTC', () => {
    const evening = new Date('2026-03-11T05:00:00Z'); // 22:00 on the 10th in Los Angeles (PDT)
    expect(parseScheduledAt('tomorrow at 9am PT', evening).toISOString()).toBe('2026-03-11T16:00:00.000Z');
    expect(parseScheduledAt('tomorrow at 9am', evening).toISOString()).toBe('2026-03-12T09:00:00.000Z');
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
    'in 1.5 hours',
    'now',
    'next tomorrow',
    'friday at 3pm xyz',
    'friday at 13pm',
    'friday at 9',
    'blursday at 3pm',
    'tomorrow at 9am Mars/Olympus',
    'garbage 5pm',
    '',
    'garbage',
    '1773152400',
  ])('"%s" is refused as not a date', (input) => {
    expect(refused(input).message).toContain('is not a date');
  });
});

describe('parseScheduledAt: the window', () => {
  it('takes a time up to a minute behind the clock as now (a slow client clock), refuses older', () => {
    expect(parseScheduledAt(NOW.toISOString(), NOW)).toEqual(NOW);
    expect(parseScheduledAt('in 0 minutes', NOW)).toEqual(NOW);
    expect(parseScheduledAt('2026-03-10T14:19:01Z', NOW)).toEqual(NOW);
    expect(refused('2026-03-10T14:18:59Z').message).toBe(
      'scheduled_at: "2026-03-10T14:18:59Z" is 2026-03-10T14:18:59.000Z, in the past; scheduled_at must be in the future.',
    );
    expect(refused('today at 9am').message).toContain('in the past');
  });

  it('accepts up to 30 days ahead and refuses anything later', () => {
    expect(parseScheduledAt('in 30 days', NOW).getTime()).toBe(NOW.getTime() + 30 * DAY);
    expect(parseScheduledAt('2026-04-09T14:20:00Z', NOW).getTime()).toBe(NOW.getTime() + 30 * DAY);
    expect(refused('2026-04-09T14:20:01Z').message).toContain('scheduled_at must be within 30 days.');
    expect(refused('in 31 days').message).toContain('scheduled_at must be within 30 days.');
    expect(refused('in 5 weeks').message).toContain('scheduled_at must be within 30 days.');
  });

  it('names the input, the field and the forms it takes in its error', () => {
    const error = refused('someday');
    expect(error.message).toContain('scheduled_at: "someday" is not a date');
    expect(error.message).toContain('"in 1 min"');
    expect(error.message).toContain('ISO 8601');
    try {
      parseScheduledAt('someday', NOW, '[3].scheduled_at');
    } catch (err) {
      expect((err as AppError).message).toMatch(/^\[3\]\.scheduled_at: "someday"/);
    }
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
