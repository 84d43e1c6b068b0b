/**
 * Time zones, date ranges and interval buckets for the query endpoint.
 *
 * D1 has no time zone database, so the Worker (Intl) works out the UTC offsets
 * in force over a query's range and hands SQLite one `±N minutes` modifier per
 * offset segment. SQLite then buckets each event by its local wall time
 * (`date(ts, modifier)`), which is DST-correct because the modifier changes at
 * each transition.
 */
import { sql, type SQL } from 'drizzle-orm';
import { offsetMsAt, ymd } from '../time-zone';

export type Interval = 'hour' | 'day' | 'week' | 'month';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Minutes to add to UTC to get wall time in `timezone` at `instant` (ms). */
function offsetMinutesAt(instant: number, timezone: string): number {
  if (timezone === 'UTC') return 0;
  return Math.round(offsetMsAt(instant, timezone) / MINUTE);
}

/** Local calendar fields of an instant. */
interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
}

export function localOf(instant: number, timezone: string): LocalDate {
  const d = new Date(instant + offsetMinutesAt(instant, timezone) * MINUTE);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/**
 * The first instant whose wall time in `timezone` is at or after the given wall
 * time (a wall time skipped by a DST jump maps to the end of the jump).
 */
export function instantOfLocal(timezone: string, year: number, month: number, day = 1, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - offsetMinutesAt(wall, timezone) * MINUTE;
  for (let i = 0; i < 3; i++) {
    const next = wall - offsetMinutesAt(guess, timezone) * MINUTE;
    if (next === guess) break;
    guess = next;
  }
  // Earliest instant with this wall time (the repeated hour after a fall-back transition).
  const earlier = wall - offsetMinutesAt(guess - 3 * HOUR, timezone) * MINUTE;
  if (earlier < guess && earlier + offsetMinutesAt(earlier, timezone) * MINUTE === wall) guess = earlier;
  if (guess + offsetMinutesAt(guess, timezone) * MINUTE < wall) {
    // In a gap: step forward to where the wall clock resumes.
    while (guess + offsetMinutesAt(guess, timezone) * MINUTE < wall) guess += MINUTE * 15;
    const resumed = guess;
    guess = resumed - (resumed + offsetMinutesAt(resumed, timezone) * MINUTE - wall);
    if (guess + offsetMinutesAt(guess, timezone) * MINUTE < wall) guess = resumed;
  }
  return guess;
}

/** A span of time with one UTC offset. */
export interface OffsetSegment {
  from: number;
  offsetMinutes: number;
}

/** The offsets in force over [from, to), found by daily sampling plus bisection to the minute. */
export function offsetSegments(from: number, to: number, timezone: string): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ from, offsetMinutes: offsetMinutesAt(from, timezone) }];
  if (timezone === 'UTC') return segments;
  let t = from;
  let current = segments[0]!.offsetMinutes;
  while (t < to) {
    const next = Math.min(t + DAY, to);
    const off = offsetMinutesAt(next, timezone);
    if (off !== current) {
      let lo = t;
      let hi = next;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offsetMinutesAt(mid, timezone) === current) lo = mid;
        else hi = mid;
      }
      segments.push({ from: hi, offsetMinutes: off });
      current = off;
    }
    t = next;
  }
  return segments;
}

const modifierOf = (offsetMinutes: number) => `${offsetMinutes < 0 ? '-' : '+'}${Math.abs(offsetMinutes)} minutes`;

export const isoOf = (instant: number) => new Date(instant).toISOString();

/**
 * Boundaries and modifiers are text this module builds (ISO instants, `±N minutes`),
 * inlined as literals so a range with many DST transitions stays within D1's 100 bound parameters.
 */
function literal(text: string): SQL {
  if (!/^[0-9TZ:.+\- a-z]+$/.test(text)) throw new Error(`not a time literal: ${text}`);
  return sql.raw(`'${text}'`);
}

/** SQL for the `±N minutes` modifier that turns `column` (an ISO timestamp) into wall time. */
function localModifierSql(column: SQL, segments: OffsetSegment[]): SQL {
  if (segments.length === 1) return literal(modifierOf(segments[0]!.offsetMinutes));
  const whens = segments
    .slice(1)
    .map(
      (s, i) => sql`WHEN ${column} < ${literal(isoOf(s.from))} THEN ${literal(modifierOf(segments[i]!.offsetMinutes))}`,
    );
  return sql`(CASE ${sql.join(whens, sql` `)}
    ELSE ${literal(modifierOf(segments[segments.length - 1]!.offsetMinutes))} END)`;
}

/** The bucket key of `column` in SQL; `bucketKeyOf` computes the same key in TypeScript. */
export function bucketKeySql(column: SQL, interval: Interval, segments: OffsetSegment[]): SQL {
  if (segments.length === 1 && segments[0]!.offsetMinutes === 0) {
    // UTC all along: the stored ISO text already is wall time.
    if (interval === 'day') return sql`substr(${column}, 1, 10)`;
    if (interval === 'month') return sql`(substr(${column}, 1, 7) || '-01')`;
  }
  const mod = localModifierSql(column, segments);
  switch (interval) {
    case 'hour':
      // The offset is part of the key: the hour repeated after a fall-back transition is its own bucket.
      return sql`(strftime('%Y-%m-%d %H:00:00', ${column}, ${mod}) || '|' || ${mod})`;
    case 'day':
      return sql`date(${column}, ${mod})`;
    case 'week':
      // Weeks start on Sunday, as PostHog's default week_start_day.
      return sql`date(${column}, ${mod}, '-6 days', 'weekday 0')`;
    case 'month':
      return sql`strftime('%Y-%m-01', ${column}, ${mod})`;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
export { ymd };

function segmentOffsetAt(instant: number, segments: OffsetSegment[]): number {
  let off = segments[0]!.offsetMinutes;
  for (const s of segments) if (s.from <= instant) off = s.offsetMinutes;
  return off;
}

/** One interval bucket: its first instant, its key (as `bucketKeySql` yields) and its wall-clock start. */
export interface Bucket {
  start: number;
  key: string;
  local: LocalDate;
}

function addDays(d: { year: number; month: number; day: number }, days: number) {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** Start of the local bucket that contains `instant`. */
export function bucketStartOf(instant: number, interval: Interval, timezone: string): number {
  const l = localOf(instant, timezone);
  switch (interval) {
    case 'hour': {
      const off = offsetMinutesAt(instant, timezone);
      const wall = instant + off * MINUTE;
      return wall - (((wall % HOUR) + HOUR) % HOUR) - off * MINUTE;
    }
    case 'day':
      return instantOfLocal(timezone, l.year, l.month, l.day);
    case 'week': {
      const weekday = new Date(Date.UTC(l.year, l.month - 1, l.day)).getUTCDay();
      const s = addDays(l, -weekday);
      return instantOfLocal(timezone, s.year, s.month, s.day);
    }
    case 'month':
      return instantOfLocal(timezone, l.year, l.month, 1);
  }
}

/** The instant where the bucket starting at `start` ends, `n` buckets on (n may be negative). */
export function shiftBuckets(start: number, interval: Interval, n: number, timezone: string): number {
  if (interval === 'hour') return start + n * HOUR;
  const l = localOf(start, timezone);
  if (interval === 'month') {
    const t = new Date(Date.UTC(l.year, l.month - 1 + n, 1));
    return instantOfLocal(timezone, t.getUTCFullYear(), t.getUTCMonth() + 1, 1);
  }
  const d = addDays(l, n * (interval === 'week' ? 7 : 1));
  return instantOfLocal(timezone, d.year, d.month, d.day);
}

/** The buckets that overlap [from, to), first one starting at or before `from`. */
export function bucketsOf(
  from: number,
  to: number,
  interval: Interval,
  timezone: string,
  segments: OffsetSegment[],
): Bucket[] {
  const out: Bucket[] = [];
  let start = bucketStartOf(from, interval, timezone);
  while (start < to) {
    const off = segmentOffsetAt(Math.max(start, from), segments);
    const wall = new Date(start + off * MINUTE);
    const local = localOf(start, timezone);
    const key =
      interval === 'hour'
        ? `${wall.toISOString().slice(0, 10)} ${pad(wall.getUTCHours())}:00:00|${modifierOf(off)}`
        : interval === 'month'
          ? `${pad(local.year, 4)}-${pad(local.month)}-01`
          : ymd(local);
    out.push({ start, key, local });
    start = shiftBuckets(start, interval, 1, timezone);
  }
  return out;
}

/** ISO 8601 with the zone's offset (`Z` for UTC), as PostHog serializes zoned datetimes. */
export function zonedIso(instant: number, timezone: string, withMillis = false): string {
  const off = offsetMinutesAt(instant, timezone);
  const wall = new Date(instant + off * MINUTE).toISOString();
  const base = withMillis ? wall.slice(0, 23) : wall.slice(0, 19);
  if (off === 0) return `${base}Z`;
  const sign = off < 0 ? '-' : '+';
  return `${base}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}
