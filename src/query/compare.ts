/**
 * `compareFilter.compare_to` as PostHog's QueryCompareToDateRange: the
 * previous period starts at the current period's start moved back by the
 * relative date (`-1w`, `-14d`, `-1m`, `-1y`, `-30h`; a quarter is 13 weeks,
 * as PostHog's delta mapping), on the wall clock of the project's time zone
 * (months keep the day, clamped to the month's end), and is as long as the
 * current period: the same number of buckets.
 */
import { COMPARE_TO } from './schema-insight-filters';
import { HOUR, bucketStartOf, bucketsOf, instantOfLocal, localOf, shiftBuckets } from './time';
import type { Compiled, Period } from './trends-series';

/** `instant` moved back by a `compare_to` value, on the local wall clock. */
export function shiftBack(instant: number, compareTo: string, timezone: string): number {
  const m = COMPARE_TO.exec(compareTo);
  if (!m) throw new Error(`not a compare_to value: ${compareTo}`);
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === 'h') return instant - n * HOUR;
  const l = localOf(instant, timezone);
  const seconds = instant - instantOfLocal(timezone, l.year, l.month, l.day, l.hour, l.minute);
  if (unit === 'd' || unit === 'w' || unit === 'q') {
    const days = n * (unit === 'd' ? 1 : unit === 'w' ? 7 : 91);
    const t = new Date(Date.UTC(l.year, l.month - 1, l.day - days));
    return (
      instantOfLocal(timezone, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), l.hour, l.minute) + seconds
    );
  }
  const months = n * (unit === 'm' ? 1 : 12);
  const first = new Date(Date.UTC(l.year, l.month - 1 - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return (
    instantOfLocal(
      timezone,
      first.getUTCFullYear(),
      first.getUTCMonth() + 1,
      Math.min(l.day, lastDay),
      l.hour,
      l.minute,
    ) + seconds
  );
}

/** The period `compare_to` names, beside `current`. */
export function compareToPeriod(timezone: string, c: Compiled, current: Period, compareTo: string): Period {
  const from = shiftBack(current.from, compareTo, timezone);
  if (c.aggregate) return { from, to: from + (current.to - current.from), buckets: [] };
  const start = bucketStartOf(from, c.interval, timezone);
  const to = shiftBuckets(start, c.interval, current.buckets.length, timezone);
  return { from: start, to, buckets: bucketsOf(start, to, c.interval, timezone, c.segments) };
}
