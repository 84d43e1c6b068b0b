/**
 * Date and time in HogQL, in the project's time zone. Values are held as UTC
 * ISO text like the stored timestamps (`2024-05-01T10:00:00.000Z`), so they
 * compare with the timestamp column and its indexes. SQLite has no time zone
 * database: the Worker works out the zone's UTC offsets (Intl) over a window
 * around now and gives SQLite a balanced CASE over the offset changes, so
 * wall-clock days and hours are right across DST. Outside the window the
 * nearest offset applies.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DAY, offsetSegments, type OffsetSegment } from '../query/time';
import { fail, type IntervalUnit } from './compile-types';

/** Years before and after now whose offsets are worked out exactly. */
const WINDOW_YEARS_BACK = 12;
const WINDOW_YEARS_AHEAD = 3;

const segmentCache = new Map<string, OffsetSegment[]>();

/** The zone's offsets over the window around `now` (cached per zone and day). */
export function zoneSegments(timezone: string, now: number): OffsetSegment[] {
  if (timezone === 'UTC') return [{ from: 0, offsetMinutes: 0 }];
  const day = Math.floor(now / DAY);
  const key = `${timezone}|${day}`;
  let segments = segmentCache.get(key);
  if (!segments) {
    const from = (day - 366 * WINDOW_YEARS_BACK) * DAY;
    segments = offsetSegments(from, (day + 366 * WINDOW_YEARS_AHEAD) * DAY, timezone);
    if (segmentCache.size > 50) segmentCache.clear();
    segmentCache.set(key, segments);
  }
  return segments;
}

const ISO_UTC = '%Y-%m-%dT%H:%M:%fZ';
const LOCAL = '%Y-%m-%d %H:%M:%f';

const modifier = (minutes: number) => sql.raw(`'${minutes < 0 ? '-' : '+'}${Math.abs(minutes)} minutes'`);
/** Boundaries are text this module builds from instants, inlined so a zone's many changes bind no parameters. */
const utcBoundary = (instant: number) => sql.raw(`'${new Date(instant).toISOString()}'`);
const localBoundary = (instant: number, minutes: number) =>
  sql.raw(`'${new Date(instant + minutes * 60_000).toISOString().slice(0, 23).replace('T', ' ')}'`);

/** A CASE tree of depth log2(segments): the modifier in force at `value` (compared by `boundary`). */
function offsetTree(
  value: SQL,
  segments: OffsetSegment[],
  boundary: (s: OffsetSegment, prev: OffsetSegment) => SQL,
  sign: 1 | -1,
): SQL {
  const build = (lo: number, hi: number): SQL => {
    if (lo === hi) return modifier(sign * segments[lo]!.offsetMinutes);
    const mid = Math.ceil((lo + hi) / 2);
    return sql`(CASE WHEN ${value} < ${boundary(segments[mid]!, segments[mid - 1]!)} THEN ${build(lo, mid - 1)} ELSE ${build(mid, hi)} END)`;
  };
  return build(0, segments.length - 1);
}

/**
 * `build(v)` over the value computed once: the offset tree reads its value at every level, so
 * anything but a bare column is evaluated in a one-row subquery and read back as `v`.
 */
function once(value: SQL, build: (v: SQL) => SQL): SQL {
  if (/^[a-z]+[0-9]*\.[a-z_0-9]+$/.test(plainText(value))) return build(value);
  return sql`(SELECT ${build(sql.raw('tz_v'))} FROM (SELECT ${value} AS tz_v))`;
}

/** The text of SQL made only of raw chunks (a column reference), else ''. */
function plainText(value: SQL): string {
  const chunks = value.queryChunks;
  if (chunks.length !== 1) return '';
  const chunk = chunks[0] as { value?: unknown };
  return Array.isArray(chunk.value) && chunk.value.length === 1 ? String(chunk.value[0]) : '';
}

/**
 * The events' stored timestamp read in UTC: capture stores it as `YYYY-MM-DDTHH:MM:SS.sssZ` (clamped to
 * 4-digit years), so a truncation is a prefix of its text — as the TrendsQuery's UTC day buckets read it
 * (src/query/time.ts) — instead of three date conversions per row.
 */
export function storedUtcPrefix(utc: SQL, segments: OffsetSegment[]): ((chars: number) => SQL) | undefined {
  if (segments.length !== 1 || segments[0]!.offsetMinutes !== 0 || plainText(utc) !== 'e.timestamp') return undefined;
  return (chars) => sql`substr(${utc}, 1, ${sql.raw(String(chars))})`;
}

/** Wall-clock text (`YYYY-MM-DD HH:MM:SS.SSS`) in the zone of a UTC ISO value. */
export function localOfSql(utc: SQL, segments: OffsetSegment[]): SQL {
  if (segments.length === 1 && segments[0]!.offsetMinutes === 0) return sql`strftime(${sql.raw(`'${LOCAL}'`)}, ${utc})`;
  return once(
    utc,
    (v) => sql`strftime(${sql.raw(`'${LOCAL}'`)}, ${v}, ${offsetTree(v, segments, (s) => utcBoundary(s.from), 1)})`,
  );
}

/** The UTC ISO value of a wall-clock text in the zone (the earlier reading of a repeated hour). */
export function utcOfLocalSql(local: SQL, segments: OffsetSegment[]): SQL {
  if (segments.length === 1 && segments[0]!.offsetMinutes === 0)
    return sql`strftime(${sql.raw(`'${ISO_UTC}'`)}, ${local})`;
  const tree = (v: SQL) => offsetTree(v, segments, (s, prev) => localBoundary(s.from, prev.offsetMinutes), -1);
  return once(local, (v) => sql`strftime(${sql.raw(`'${ISO_UTC}'`)}, ${v}, ${tree(v)})`);
}

/** The start of the unit containing a wall-clock text, as wall-clock text (weeks start on Sunday, mode 0). */
export function truncateLocalSql(local: SQL, unit: IntervalUnit, weekMode = 0): SQL {
  switch (unit) {
    case 'second':
      return sql`strftime('%Y-%m-%d %H:%M:%S.000', ${local})`;
    case 'minute':
      return sql`strftime('%Y-%m-%d %H:%M:00.000', ${local})`;
    case 'hour':
      return sql`strftime('%Y-%m-%d %H:00:00.000', ${local})`;
    case 'day':
      return sql`strftime('%Y-%m-%d 00:00:00.000', ${local})`;
    case 'week':
      // Mode 0 weeks start on Sunday, mode 1 on Monday (ClickHouse's toStartOfWeek).
      return weekMode === 1
        ? sql`strftime('%Y-%m-%d 00:00:00.000', ${local}, '-6 days', 'weekday 1')`
        : sql`strftime('%Y-%m-%d 00:00:00.000', ${local}, '-6 days', 'weekday 0')`;
    case 'month':
      return sql`strftime('%Y-%m-01 00:00:00.000', ${local})`;
    case 'quarter':
      return sql`printf('%s-%02d-01 00:00:00.000', strftime('%Y', ${local}),
        ((CAST(strftime('%m', ${local}) AS INTEGER) - 1) / 3) * 3 + 1)`;
    case 'year':
      return sql`strftime('%Y-01-01 00:00:00.000', ${local})`;
  }
}

/** SQLite date modifiers for n units (n a SQL integer). */
export function unitModifiersSql(unit: IntervalUnit, n: SQL): SQL[] {
  const m = (count: SQL, name: string) => sql`(${count}) || ${sql.raw(`' ${name}'`)}`;
  switch (unit) {
    case 'second':
      return [m(n, 'seconds')];
    case 'minute':
      return [m(n, 'minutes')];
    case 'hour':
      return [m(n, 'hours')];
    case 'day':
      return [m(n, 'days')];
    case 'week':
      return [m(sql`(${n}) * 7`, 'days')];
    case 'month':
      return [m(n, 'months')];
    case 'quarter':
      return [m(sql`(${n}) * 3`, 'months')];
    case 'year':
      return [m(n, 'years')];
  }
}

const UNIT_NAMES: Record<string, IntervalUnit> = {
  second: 'second',
  minute: 'minute',
  hour: 'hour',
  day: 'day',
  week: 'week',
  month: 'month',
  quarter: 'quarter',
  year: 'year',
};

export function unitOf(text: unknown, at: { start: number; end: number }): IntervalUnit {
  const name = typeof text === 'string' ? text.toLowerCase().replace(/s$/, '') : '';
  const unit = Object.hasOwn(UNIT_NAMES, name) ? UNIT_NAMES[name] : undefined;
  if (!unit)
    fail(`Unknown unit ${JSON.stringify(text)}: use second, minute, hour, day, week, month, quarter or year`, at);
  return unit;
}
