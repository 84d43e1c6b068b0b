/**
 * Calendar days in a project's timezone: which day's salt an event uses, and
 * how long that salt may exist.
 */

import { isTimeZone, offsetMsAt, wallClockOf, ymd } from '../time-zone';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * After its day ends, a salt is kept this long for late events (PostHog's
 * "max supported ingestion lag", 24 hours), then deleted.
 */
export const SALT_GRACE_MS = DAY_MS;
/** Events stamped this far into a day that has not begun yet (client clocks) still get its salt. */
const FUTURE_TOLERANCE_MS = HOUR_MS;

/** The timezone if the runtime knows it, else UTC (PostHog's fallback). */
export function knownTimeZone(timeZone: string): string {
  return isTimeZone(timeZone) ? timeZone : 'UTC';
}

/** `YYYY-MM-DD` of an instant in a timezone. */
export function dayOf(ms: number, timeZone: string): string {
  return ymd(wallClockOf(ms, timeZone));
}

/** The first instant of a calendar day in a timezone (later than midnight where DST skips midnight). */
export function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const midnightUtc = Date.UTC(y, m - 1, d);
  let start = midnightUtc - offsetMsAt(midnightUtc, timeZone);
  start = midnightUtc - offsetMsAt(start, timeZone);
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
