/**
 * `compareFilter.compare_to` as PostHog's QueryCompareToDateRange: the
 * previous period starts at the current period's start moved back by the
 * relative date (`-1w`, `-14d`, `-1m`, `-1y`, `-30h`; a quarter is 13 weeks,
 * as PostHog's delta mapping), on the wall clock of the project's time zone
 * (months keep the day, clamped to the month's end), and is as long as the
 * current period: the same number of buckets.
 */
import { addUnits, type CalendarUnit } from './date-range';
import { COMPARE_TO } from './schema-insight-filters';
import { bucketStartOf, bucketsOf, shiftBuckets } from './time';
import type { CompiledTrends, Period } from './trends-series';

/** `instant` moved back by a `compare_to` value, on the local wall clock (a quarter is 13 weeks, as PostHog's). */
export function shiftBack(instant: number, compareTo: string, timezone: string): number {
  const m = COMPARE_TO.exec(compareTo);
  if (!m) throw new Error(`not a compare_to value: ${compareTo}`);
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === 'q') return addUnits(instant, 'day', -91 * n, timezone);
  return addUnits(instant, COMPARE_UNITS[unit]!, -n, timezone);
}

const COMPARE_UNITS: Record<string, CalendarUnit> = { h: 'hour', d: 'day', w: 'week', m: 'month', y: 'year' };

/** The period `compare_to` names, beside `current`. */
export function compareToPeriod(timezone: string, c: CompiledTrends, current: Period, compareTo: string): Period {
  const from = shiftBack(current.from, compareTo, timezone);
  if (c.aggregate) return { from, to: from + (current.to - current.from), buckets: [] };
  const start = bucketStartOf(from, c.interval, timezone);
  const to = shiftBuckets(start, c.interval, current.buckets.length, timezone);
  return { from: start, to, buckets: bucketsOf(start, to, c.interval, timezone, c.segments) };
}
