// The natural-language times Resend's `scheduled_at` takes ("in 1 min", "in 2 hours", "tomorrow at
// 9am", "Friday at 3pm ET"), read by a small strict grammar rather than a general date library: a
// general parser guesses at anything ("garbage 5pm" becomes today 17:00), and a wrong guess sends an
// email at the wrong time, so whatever this grammar does not cover is refused. Times are UTC unless
// the text names a zone. Returns null for anything it does not read.

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  wk: 604_800_000,
  wks: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const WEEKDAY_SHORT: Record<string, number> = {
  sun: 0,
  mon: 1,
  tue: 2,
  tues: 2,
  wed: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  fri: 5,
  sat: 6,
};

/**
 * Zone names: North American generic names follow daylight saving (an IANA zone), the seasonal
 * abbreviations are the fixed offsets they stand for.
 */
const ZONES: Record<string, string | number> = {
  utc: 0,
  gmt: 0,
  z: 0,
  et: 'America/New_York',
  est: -300,
  edt: -240,
  ct: 'America/Chicago',
  cst: -360,
  cdt: -300,
  mt: 'America/Denver',
  mst: -420,
  mdt: -360,
  pt: 'America/Los_Angeles',
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  bst: 60,
  wet: 0,
  west: 60,
  cet: 60,
  cest: 120,
  eet: 120,
  eest: 180,
  jst: 540,
  kst: 540,
  aest: 600,
  aedt: 660,
};

/** A zone: minutes east of UTC, or an IANA name whose offset depends on the date. */
type Zone = number | string;

export function parseNaturalTime(input: string, now: Date): Date | null {
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ');
  return relative(text, now) ?? dayAndTime(text, now);
}

/** "in 5 minutes", "in 1 min", "in an hour", "in 2h", "in 3 days". */
function relative(text: string, now: Date): Date | null {
  const match = /^in (\d{1,5}|an?|one) ?([a-z]+)$/.exec(text);
  if (!match) return null;
  const unit = UNIT_MS[match[2] as string];
  if (unit === undefined) return null;
  const count = /^\d/.test(match[1] as string) ? Number(match[1]) : 1;
  return new Date(now.getTime() + count * unit);
}

/**
 * "[on|next] <day> [at] [<time>] [<zone>]" where the day is today, tomorrow or a weekday, or
 * "[at] <time> [<zone>]" alone (its next occurrence). A day without a time is 9 am.
 */
function dayAndTime(text: string, now: Date): Date | null {
  const match =
    /^(?:(?:on )?(next )?(today|tonight|tomorrow|[a-z]{3,9})(?:,? (?:at )?(.+))?|(?:at )?(\d.*|noon|midnight))$/.exec(
      text,
    );
  if (!match) return null;
  const [, next, dayWord, dayRest, timeOnly] = match;
  const rest = timeOnly ?? dayRest ?? null;
  let time: { hour: number; minute: number } = { hour: 9, minute: 0 };
  let zone: Zone = 0;
  if (rest !== null) {
    const parsed = timeAndZone(rest);
    if (!parsed) return null;
    time = parsed.time ?? time;
    zone = parsed.zone;
    if (parsed.time === null && timeOnly !== undefined) return null;
  }
  const today = localDate(now, zone);
  if (timeOnly !== undefined) {
    // A bare time: today's if it is still ahead, else tomorrow's.
    const at = wallClockToUtc({ ...today, ...time }, zone);
    return at.getTime() > now.getTime() ? at : wallClockToUtc(addDays(today, 1, time), zone);
  }
  let days: number;
  if (dayWord === 'today' || dayWord === 'tonight') {
    if (next) return null;
    days = 0;
    if (dayWord === 'tonight' && rest === null) time = { hour: 20, minute: 0 };
  } else if (dayWord === 'tomorrow') {
    if (next) return null;
    days = 1;
  } else {
    const weekday = WEEKDAYS.indexOf(dayWord as string);
    const target = weekday >= 0 ? weekday : WEEKDAY_SHORT[dayWord as string];
    if (target === undefined) return null;
    days = (target - today.weekday + 7) % 7;
    // "Friday" on a Friday is today while that time is still ahead; "next Friday" is never today.
    if (days === 0 && (next || wallClockToUtc({ ...today, ...time }, zone).getTime() <= now.getTime())) {
      days = 7;
    }
  }
  return wallClockToUtc(addDays(today, days, time), zone);
}

/** "9am", "9 am", "9:15pm", "17:30", "noon", each optionally followed by a zone; or a zone alone. */
function timeAndZone(text: string): { time: { hour: number; minute: number } | null; zone: Zone } | null {
  const match = /^(?:(noon|midnight)|(\d{1,2})(?::(\d{2}))? ?(am|pm|a\.m\.|p\.m\.)?)?(?: ?(.+))?$/.exec(text);
  if (!match) return null;
  const [, word, hourText, minuteText, meridiem, zoneText] = match;
  let time: { hour: number; minute: number } | null = null;
  if (word) time = { hour: word === 'noon' ? 12 : 0, minute: 0 };
  else if (hourText !== undefined) {
    let hour = Number(hourText);
    const minute = minuteText ? Number(minuteText) : 0;
    // "9" alone is too loose to be a time; "9am" and "9:00" are not.
    if (!meridiem && minuteText === undefined) return null;
    if (meridiem) {
      if (hour < 1 || hour > 12) return null;
      if (meridiem.startsWith('p') && hour < 12) hour += 12;
      if (meridiem.startsWith('a') && hour === 12) hour = 0;
    }
    if (hour > 23 || minute > 59) return null;
    time = { hour, minute };
  }
  if (time === null && zoneText === undefined) return null;
  const zone = zoneText === undefined ? 0 : parseZone(zoneText.trim());
  return zone === null ? null : { time, zone };
}

/** "ET", "PST", "UTC", "UTC+2", "GMT-05:30", "+02:00", "Europe/Paris". */
function parseZone(text: string): Zone | null {
  const named = ZONES[text];
  if (named !== undefined) return named;
  const offset = /^(?:utc|gmt)? ?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (offset) {
    const hours = Number(offset[2]);
    const minutes = offset[3] ? Number(offset[3]) : 0;
    if (hours > 14 || minutes > 59) return null;
    return (offset[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  if (/^[a-z]+(?:\/[a-z0-9_+-]+)+$/.test(text)) {
    const iana = canonicalZone(text);
    if (iana) return iana;
  }
  return null;
}

/** The IANA name as Intl spells it ("america/new_york" → "America/New_York"), or null if unknown. */
function canonicalZone(lower: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: lower }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  weekday: number;
}

/** The calendar date at `now` in the zone. */
function localDate(now: Date, zone: Zone): LocalDate {
  const shifted = new Date(now.getTime() + offsetMinutes(now, zone) * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
  };
}

function addDays(date: LocalDate, days: number, time: { hour: number; minute: number }) {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: moved.getUTCFullYear(),
    month: moved.getUTCMonth() + 1,
    day: moved.getUTCDate(),
    ...time,
  };
}

/** The instant a wall clock in the zone shows `local`. */
function wallClockToUtc(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  zone: Zone,
): Date {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // The offset at the guess, then again at the corrected instant (they differ only near a DST change).
  let at = asUtc - offsetMinutes(new Date(asUtc), zone) * 60_000;
  at = asUtc - offsetMinutes(new Date(at), zone) * 60_000;
  return new Date(at);
}

/** Minutes east of UTC in the zone at that instant. */
function offsetMinutes(at: Date, zone: Zone): number {
  if (typeof zone === 'number') return zone;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}
