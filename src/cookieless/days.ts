/**
 * Calendar days in a project's timezone: which day's salt an event uses, and
 * how long that salt may exist.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * After its day ends, a salt is kept this long for late events (PostHog's
 * "max supported ingestion lag", 24 hours), then deleted.
 */
export const SALT_GRACE_MS = DAY_MS;
/** Events stamped this far into a day that has not begun yet (client clocks) still get its salt. */
export const FUTURE_TOLERANCE_MS = HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The timezone if the runtime knows it, else UTC (PostHog's fallback). */
export function knownTimeZone(timeZone: string): string {
  try {
    formatterOf(timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function wallClock(ms: number, timeZone: string) {
  const parts = Object.fromEntries(formatterOf(timeZone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** `YYYY-MM-DD` of an instant in a timezone. */
export function dayOf(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The timezone's offset from UTC at an instant (ms; positive east of Greenwich). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The first instant of a calendar day in a timezone (later than midnight where DST skips midnight). */
export function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(y, m - 1, d);
  let start = midnightUtc - offsetAt(midnightUtc, timeZone);
  start = midnightUtc - offsetAt(start, timeZone);
  // Midnight may not exist (DST starting at 00:00): move to the first instant of the day.
  while (dayOf(start, timeZone) < day) start += HOUR_MS;
  while (dayOf(start - HOUR_MS, timeZone) === day) start -= HOUR_MS;
  return start;
}

export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

export interface SaltWindow {
  day: string;
  /** From when the day's salt may be used (epoch ms). */
  usableFrom: number;
  /** When the day's salt is deleted (epoch ms): the end of the day plus the grace period. */
  expiresAt: number;
}

/** The day an event falls on in the project's timezone, and its salt's lifetime. */
export function saltWindowOf(timestampMs: number, timeZone: string): SaltWindow {
  const day = dayOf(timestampMs, timeZone);
  return {
    day,
    usableFrom: startOfDay(day, timeZone) - FUTURE_TOLERANCE_MS,
    expiresAt: startOfDay(nextDay(day), timeZone) + SALT_GRACE_MS,
  };
}

export const isUsable = (w: SaltWindow, now: number) => now >= w.usableFrom && now < w.expiresAt;
