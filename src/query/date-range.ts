/**
 * PostHog's `dateRange` forms (`-7d`, `-24h`, `-2w`, `-3m`, `-1y`, `dStart`,
 * `mStart`, `yStart`, `all`, ISO dates and datetimes) resolved to instants in
 * the project's time zone, the way PostHog's QueryDateRange does: a relative or
 * date-only `date_from` starts at the start of its day (hour for hourly
 * queries), `date_to` ends at the end of its day (hour); `explicitDate` keeps
 * datetimes as given.
 */
import { QueryError } from './errors';
import { DAY, HOUR, MINUTE, bucketStartOf, instantOfLocal, localOf, shiftBuckets, type Interval } from './time';

interface DateRangeInput {
  date_from?: string | null;
  date_to?: string | null;
  explicitDate?: boolean | null;
}

interface ResolvedRange {
  /** Inclusive start (ms). */
  from: number;
  /** Exclusive end (ms). */
  to: number;
}

const RELATIVE = /^-?(\d{1,6})([hdwmqyMH])(Start|End)?$/;
const START_OF = /^([dwmqy])Start$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

export type CalendarUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';
type Unit = CalendarUnit;
const UNITS: Record<string, Unit> = {
  M: 'minute',
  h: 'hour',
  H: 'hour',
  d: 'day',
  w: 'week',
  m: 'month',
  q: 'quarter',
  y: 'year',
};

function startOfUnit(instant: number, unit: Unit, timezone: string): number {
  const l = localOf(instant, timezone);
  switch (unit) {
    case 'minute':
      return instant - (((instant % MINUTE) + MINUTE) % MINUTE);
    case 'hour':
      return bucketStartOf(instant, 'hour', timezone);
    case 'day':
      return bucketStartOf(instant, 'day', timezone);
    case 'week':
      return bucketStartOf(instant, 'week', timezone);
    case 'month':
      return instantOfLocal(timezone, l.year, l.month, 1);
    case 'quarter':
      return instantOfLocal(timezone, l.year, l.month - ((l.month - 1) % 3), 1);
    case 'year':
      return instantOfLocal(timezone, l.year, 1, 1);
  }
}

function endOfUnit(instant: number, unit: Unit, timezone: string): number {
  const start = startOfUnit(instant, unit, timezone);
  return addUnits(start, unit, 1, timezone) - 1;
}

/** `instant` plus n units of calendar time in `timezone` (n may be negative). */
export function addUnits(instant: number, unit: Unit, n: number, timezone: string): number {
  if (unit === 'minute') return instant + n * MINUTE;
  if (unit === 'hour') return instant + n * HOUR;
  const l = localOf(instant, timezone);
  if (unit === 'day' || unit === 'week') {
    const t = new Date(Date.UTC(l.year, l.month - 1, l.day + n * (unit === 'week' ? 7 : 1)));
    return (
      instantOfLocal(timezone, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), l.hour, l.minute) +
      (instant % MINUTE)
    );
  }
  const months = n * (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12);
  const first = new Date(Date.UTC(l.year, l.month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return (
    instantOfLocal(
      timezone,
      first.getUTCFullYear(),
      first.getUTCMonth() + 1,
      Math.min(l.day, lastDay),
      l.hour,
      l.minute,
    ) +
    (instant % MINUTE)
  );
}

const MIN_UNIT_MS: Record<Unit, number> = {
  minute: MINUTE,
  hour: HOUR,
  day: 23 * HOUR,
  week: 7 * 23 * HOUR,
  month: 28 * 23 * HOUR,
  quarter: 89 * 23 * HOUR,
  year: 365 * 23 * HOUR,
};

interface Parsed {
  instant: number;
  /** A relative form (`-7d`, `mStart`): truncated unless explicitDate. */
  relative: boolean;
  dateOnly: boolean;
}

/** The instants a date input may name at all (years 1–9999); ranges narrow this to 1970–9000. */
const FIRST_POINT = -62_135_596_800_000; // 0001-01-01T00:00:00Z (Date.UTC reads year 1 as 1901)
const LAST_POINT = Date.UTC(9999, 11, 31);

/**
 * One `date_from`/`date_to`/`after`/`before` value as an instant. Any string
 * is a 400 naming `attr` or an instant in years 1–9999: huge relative amounts
 * (`-999999y`) never reach the date arithmetic's RangeError.
 */
export function parsePoint(value: string, attr: string, timezone: string, now: number): Parsed {
  const outOfRange = () =>
    QueryError.badField(attr, `${attr}: ${JSON.stringify(value).slice(0, 100)} lies outside the years 1 to 9999.`);
  let parsed: Parsed;
  try {
    parsed = parsePointUnchecked(value, attr, timezone, now);
  } catch (error) {
    if (error instanceof RangeError) throw outOfRange();
    throw error;
  }
  if (!Number.isFinite(parsed.instant) || parsed.instant < FIRST_POINT - DAY || parsed.instant > LAST_POINT)
    throw outOfRange();
  return parsed;
}

function parsePointUnchecked(value: string, attr: string, timezone: string, now: number): Parsed {
  const rel = RELATIVE.exec(value);
  if (rel) {
    const unit = UNITS[rel[2]!]!;
    // Further back than year 1 in any unit (a year is at least 8,760 hours): refused before any arithmetic.
    if (Number(rel[1]) * MIN_UNIT_MS[unit] > now - FIRST_POINT) throw new RangeError(value);
    const back = addUnits(now, unit, -Number(rel[1]), timezone);
    const instant =
      rel[3] === 'Start'
        ? startOfUnit(back, unit, timezone)
        : rel[3] === 'End'
          ? endOfUnit(back, unit, timezone)
          : back;
    return { instant, relative: true, dateOnly: false };
  }
  const start = START_OF.exec(value);
  if (start) return { instant: startOfUnit(now, UNITS[start[1]!]!, timezone), relative: true, dateOnly: false };
  const date = DATE_ONLY.exec(value);
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
    if (!validDate(y, m, d)) throw QueryError.badField(attr, `${attr}: ${JSON.stringify(value)} is not a date.`);
    return { instant: instantOfLocal(timezone, y, m, d), relative: false, dateOnly: true };
  }
  const dt = DATETIME.exec(value);
  if (dt) {
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(dt[i] ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const ms = Number((dt[7] ?? '0').padEnd(3, '0').slice(0, 3));
    if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59)
      throw QueryError.badField(attr, `${attr}: ${JSON.stringify(value)} is not a datetime.`);
    const zone = dt[8];
    let instant: number;
    if (zone) {
      const off =
        zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
      instant = Date.UTC(y, mo - 1, d, h, mi, s, ms) - off * MINUTE;
    } else {
      instant = instantOfLocal(timezone, y, mo, d, h, mi) + s * 1000 + ms;
    }
    return { instant, relative: false, dateOnly: false };
  }
  throw QueryError.badField(
    attr,
    `${attr}: ${JSON.stringify(value).slice(0, 100)} is not a date. Use an ISO date or datetime, "all", ` +
      'or a relative form such as "-7d", "-24h", "-2w", "-3m", "-1y", "dStart", "mStart", "yStart".',
  );
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Upper bounds keeping one query's work and answer bounded. */
const MAX_BUCKETS = 5_000;
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9000, 0, 1);

interface RangeOptions {
  interval: Interval;
  timezone: string;
  now: number;
  defaultFrom: string;
  /** The project's earliest event, for `date_from: "all"`. */
  earliest: () => Promise<number | undefined>;
  attr?: string;
}

/** [from, to) of a dateRange, from widened to the start of its first bucket. */
export async function resolveDateRange(
  range: DateRangeInput | null | undefined,
  o: RangeOptions,
): Promise<ResolvedRange> {
  const attr = o.attr ?? 'dateRange';
  const explicit = range?.explicitDate === true;
  const hourly = o.interval === 'hour';
  const fromText = range?.date_from ?? o.defaultFrom;
  let from: number;
  if (fromText === 'all') {
    from = (await o.earliest()) ?? o.now;
  } else {
    const p = parsePoint(fromText, `${attr}.date_from`, o.timezone, o.now);
    from = explicit && !p.dateOnly ? p.instant : startOfUnit(p.instant, hourly ? 'hour' : 'day', o.timezone);
  }
  let to: number;
  if (range?.date_to === undefined || range.date_to === null) {
    to = startOfUnit(o.now, hourly ? 'hour' : 'day', o.timezone);
    to = addUnits(to, hourly ? 'hour' : 'day', 1, o.timezone);
  } else {
    const p = parsePoint(range.date_to, `${attr}.date_to`, o.timezone, o.now);
    if (explicit && !p.dateOnly) to = p.instant + 1;
    else if (p.dateOnly) to = shiftBuckets(p.instant, 'day', 1, o.timezone);
    else
      to = addUnits(
        startOfUnit(p.instant, hourly ? 'hour' : 'day', o.timezone),
        hourly ? 'hour' : 'day',
        1,
        o.timezone,
      );
  }
  if (from < EARLIEST || to > LATEST) throw QueryError.badField(attr, `${attr}: dates must lie between 1970 and 9000.`);
  from = bucketStartOf(from, o.interval, o.timezone);
  if (to <= from) throw QueryError.badField(attr, `${attr}: date_to is before date_from.`);
  const unit = { hour: HOUR, day: DAY, week: 7 * DAY, month: 28 * DAY }[o.interval];
  const buckets = Math.ceil((to - from) / unit);
  if (buckets > MAX_BUCKETS) {
    throw QueryError.badField(
      attr,
      `${attr}: the range holds about ${buckets} ${o.interval} intervals; at most ${MAX_BUCKETS} are allowed. ` +
        'Use a coarser interval or a shorter range.',
    );
  }
  return { from, to };
}
