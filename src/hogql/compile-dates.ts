/**
 * HogQL's date functions with ClickHouse's meaning, evaluated in the project's
 * time zone (or the zone given to toTimeZone): truncations, parts, intervals,
 * dateDiff. Values known at compile time are computed here and bound, so
 * `timestamp > now() - INTERVAL 7 DAY` is an index range on the timestamp.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Call, Expr } from './ast';
import { asDate, asDateTime, dateOfInstant, known } from './compile-coerce';
import type { Scope } from './compile-scope';
import { localOfSql, storedUtcPrefix, truncateLocalSql, unitModifiersSql, unitOf, utcOfLocalSql } from './compile-time';
import { type Compiled, type IntervalUnit, fail } from './compile-types';
import { instantOfLocal, localOf } from '../query/time';
import { isTimeZone } from '../time-zone';

type At = { start: number; end: number };
const SECOND_UNITS: Partial<Record<IntervalUnit, number>> = { second: 1_000, minute: 60_000, hour: 3_600_000 };
const zoneOf = (c: Compiled, scope: Scope) => c.zone ?? scope.ctx.timezone;

/** Calendar arithmetic on a known instant in a zone (days and longer keep the wall-clock time). */
function addKnown(instant: number, unit: IntervalUnit, n: number, zone: string): number {
  const ms = SECOND_UNITS[unit];
  if (ms) return instant + n * ms;
  const l = localOf(instant, zone);
  const months = unit === 'month' ? n : unit === 'quarter' ? 3 * n : unit === 'year' ? 12 * n : 0;
  const days = unit === 'day' ? n : unit === 'week' ? 7 * n : 0;
  const first = new Date(Date.UTC(l.year, l.month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  const t = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(l.day, lastDay) + days));
  const wall = instantOfLocal(zone, t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), l.hour, l.minute);
  return wall + (((instant % 60_000) + 60_000) % 60_000);
}

export function addIntervalSql(value: Compiled, interval: Compiled, op: '+' | '-', scope: Scope, at: At): Compiled {
  const unit = interval.unit!;
  const sign = op === '-' ? -1 : 1;
  const n = interval.known
    ? known(sign * Number(interval.known.value), 'Int').sql
    : sql`(${sql.raw(String(sign))} * ${interval.sql})`;
  if (value.type === 'Date') {
    if (SECOND_UNITS[unit]) return addIntervalSql(asDateTime(value, scope, at), interval, op, scope, at);
    if (value.known && interval.known) {
      const [y, m, d] = String(value.known.value).split('-').map(Number);
      const instant = addKnown(Date.UTC(y!, m! - 1, d!), unit, sign * Number(interval.known.value), 'UTC');
      return known(new Date(instant).toISOString().slice(0, 10), 'Date');
    }
    return { sql: sql`date(${value.sql}, ${sql.join(unitModifiersSql(unit, n), sql`, `)})`, type: 'Date' };
  }
  const dt = asDateTime(value, scope, at);
  const zone = zoneOf(dt, scope);
  if (dt.known && interval.known) {
    return {
      ...known(addKnown(dt.known.value as number, unit, sign * Number(interval.known.value), zone), 'DateTime'),
      zone: dt.zone,
    };
  }
  const mods = sql.join(unitModifiersSql(unit, n), sql`, `);
  if (SECOND_UNITS[unit])
    return { sql: sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${dt.sql}, ${mods})`, type: 'DateTime', zone: dt.zone };
  const segments = scope.ctx.segmentsOf(zone);
  const local = sql`strftime('%Y-%m-%d %H:%M:%f', ${localOfSql(dt.sql, segments)}, ${mods})`;
  return { sql: utcOfLocalSql(local, segments), type: 'DateTime', zone: dt.zone };
}

/** Truncations of the stored UTC timestamp: the characters kept and what completes the value. */
const STORED_PREFIX: Partial<Record<IntervalUnit, [number, string]>> = {
  second: [19, '.000Z'],
  minute: [16, ':00.000Z'],
  hour: [13, ':00:00.000Z'],
  day: [10, 'T00:00:00.000Z'],
  month: [7, '-01'],
  year: [4, '-01-01'],
};

/** The start of the unit holding a value; weeks, months, quarters and years are Dates, as in ClickHouse. */
function startOf(value: Compiled, unit: IntervalUnit, scope: Scope, at: At, weekMode = 0): Compiled {
  const dt = asDateTime(value, scope, at);
  const zone = zoneOf(dt, scope);
  const asDateType = unit === 'week' || unit === 'month' || unit === 'quarter' || unit === 'year';
  const segments = scope.ctx.segmentsOf(zone);
  const prefix = storedUtcPrefix(dt.sql, segments);
  const fast = STORED_PREFIX[unit];
  if (prefix && fast) {
    const truncated = sql`(${prefix(fast[0])} || ${sql.raw(`'${fast[1]}'`)})`;
    if (asDateType) return { sql: truncated, type: 'Date', aggregate: value.aggregate };
    return { sql: truncated, type: 'DateTime', zone: dt.zone, aggregate: value.aggregate };
  }
  const localStart = truncateLocalSql(localOfSql(dt.sql, segments), unit, weekMode);
  if (asDateType) return { sql: sql`substr(${localStart}, 1, 10)`, type: 'Date', aggregate: value.aggregate };
  return { sql: utcOfLocalSql(localStart, segments), type: 'DateTime', zone: dt.zone, aggregate: value.aggregate };
}

function part(value: Compiled, format: string, scope: Scope, at: At): Compiled {
  const local =
    value.type === 'Date'
      ? value.sql
      : localOfSql(asDateTime(value, scope, at).sql, scope.ctx.segmentsOf(zoneOf(value, scope)));
  return { sql: sql`CAST(strftime(${sql.raw(`'${format}'`)}, ${local}) AS INTEGER)`, type: 'Int' };
}

/** ClickHouse's dateDiff: the unit boundaries crossed between a and b, in the zone's wall-clock time. */
function dateDiff(unit: IntervalUnit, a: Compiled, b: Compiled, scope: Scope, at: At): Compiled {
  const local = (c: Compiled) => {
    const dt = asDateTime(c, scope, at);
    return localOfSql(dt.sql, scope.ctx.segmentsOf(zoneOf(dt, scope)));
  };
  const [la, lb] = [local(a), local(b)];
  const epoch = (l: SQL) => sql`CAST(strftime('%s', ${l}) AS INTEGER)`;
  const days = (l: SQL) => sql`CAST(julianday(date(${l})) - 2440588 AS INTEGER)`;
  const months = (l: SQL) =>
    sql`(CAST(strftime('%Y', ${l}) AS INTEGER) * 12 + CAST(strftime('%m', ${l}) AS INTEGER) - 1)`;
  const per = (f: (l: SQL) => SQL) => ({ sql: sql`(${f(lb)} - ${f(la)})`, type: 'Int' as const });
  switch (unit) {
    case 'second':
      return per(epoch);
    case 'minute':
      return per((l) => sql`(${epoch(l)} / 60)`);
    case 'hour':
      return per((l) => sql`(${epoch(l)} / 3600)`);
    case 'day':
      return per(days);
    case 'week':
      return per((l) => sql`((${days(l)} + 3) / 7)`);
    case 'month':
      return per(months);
    case 'quarter':
      return per((l) => sql`(${months(l)} / 3)`);
    case 'year':
      return per((l) => sql`CAST(strftime('%Y', ${l}) AS INTEGER)`);
  }
}

const constantText = (expr: Expr | undefined, what: string, at: At): string => {
  if (expr?.kind !== 'Constant' || typeof expr.value !== 'string') fail(`${what} must be a constant string`, at);
  return expr.value;
};

function zoned(c: Compiled, zoneArg: Expr | undefined, scope: Scope, at: At): Compiled {
  if (!zoneArg) return c;
  const zone = constantText(zoneArg, 'The time zone', at);
  if (!isTimeZone(zone)) fail(`Unknown time zone ${JSON.stringify(zone)}`, zoneArg);
  scope.ctx.segmentsOf(zone);
  return { ...c, zone };
}

const STARTS: Record<string, IntervalUnit> = {
  toStartOfSecond: 'second',
  toStartOfMinute: 'minute',
  toStartOfHour: 'hour',
  toStartOfDay: 'day',
  toStartOfWeek: 'week',
  toMonday: 'week',
  toStartOfMonth: 'month',
  toStartOfQuarter: 'quarter',
  toStartOfYear: 'year',
};

const PARTS: Record<string, string> = {
  toYear: '%Y',
  toMonth: '%m',
  toDayOfMonth: '%d',
  toHour: '%H',
  toMinute: '%M',
  toSecond: '%S',
  toDayOfYear: '%j',
};

/** A date function's result, or undefined when `name` is not one. */
export function dateCall(call: Call, args: Compiled[], scope: Scope): Compiled | undefined {
  const { name } = call;
  const now = scope.ctx.now;
  const tz = scope.ctx.timezone;
  const interval = /^toInterval(Second|Minute|Hour|Day|Week|Month|Quarter|Year)$/.exec(name);
  if (interval) return { ...args[0]!, type: 'Interval', unit: unitOf(interval[1], call) };
  if (Object.hasOwn(STARTS, name)) {
    const mode = name === 'toMonday' ? 1 : call.args[1]?.kind === 'Constant' ? Number(call.args[1].value) % 2 : 0;
    return startOf(
      zoned(args[0]!, name === 'toStartOfWeek' ? undefined : call.args[1], scope, call),
      STARTS[name]!,
      scope,
      call,
      mode,
    );
  }
  if (Object.hasOwn(PARTS, name)) return part(args[0]!, PARTS[name]!, scope, call);
  switch (name) {
    case 'now':
      return known(now, 'DateTime');
    case 'today':
      return known(dateOfInstant(now, tz), 'Date');
    case 'yesterday':
      return known(dateOfInstant(addKnown(now, 'day', -1, tz), tz), 'Date');
    case 'toDateTime':
    case 'toDateTime64':
    case 'parseDateTimeBestEffort':
      return zoned(
        asDateTime(zoned(args[0]!, call.args[name === 'toDateTime64' ? 2 : 1], scope, call), scope, call),
        undefined,
        scope,
        call,
      );
    case 'toTimeZone':
      if (!call.args[1]) fail('toTimeZone takes a value and a time zone', call);
      return zoned(asDateTime(args[0]!, scope, call), call.args[1], scope, call);
    case 'toDate':
      return asDate(args[0]!, scope, call);
    case 'toDayOfWeek': {
      // ClickHouse: Monday is 1, Sunday 7.
      const d = part(args[0]!, '%w', scope, call);
      return { sql: sql`((${d.sql} + 6) % 7 + 1)`, type: 'Int' };
    }
    case 'toUnixTimestamp':
      return { sql: sql`CAST(strftime('%s', ${asDateTime(args[0]!, scope, call).sql}) AS INTEGER)`, type: 'Int' };
    case 'dateDiff':
    case 'date_diff':
      return dateDiff(
        unitOf(constantText(call.args[0], 'The unit of dateDiff', call), call),
        args[1]!,
        args[2]!,
        scope,
        call,
      );
    case 'dateAdd':
    case 'dateSub': {
      const unit = unitOf(constantText(call.args[0], `The unit of ${name}`, call), call);
      const i: Compiled = { ...args[1]!, type: 'Interval', unit };
      return addIntervalSql(args[2]!, i, name === 'dateAdd' ? '+' : '-', scope, call);
    }
  }
  return undefined;
}

/** How many arguments each date function takes: [min, max]. */
export const DATE_ARITY: Record<string, [number, number]> = {
  now: [0, 0],
  today: [0, 0],
  yesterday: [0, 0],
  toDateTime: [1, 2],
  toDateTime64: [1, 3],
  parseDateTimeBestEffort: [1, 2],
  toTimeZone: [2, 2],
  toDate: [1, 1],
  toDayOfWeek: [1, 1],
  toUnixTimestamp: [1, 1],
  dateDiff: [3, 3],
  date_diff: [3, 3],
  dateAdd: [3, 3],
  dateSub: [3, 3],
  ...Object.fromEntries(Object.keys(STARTS).map((k) => [k, [1, 2] as [number, number]])),
  ...Object.fromEntries(Object.keys(PARTS).map((k) => [k, [1, 1] as [number, number]])),
  ...Object.fromEntries(
    ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month', 'Quarter', 'Year'].map((u) => [
      `toInterval${u}`,
      [1, 1] as [number, number],
    ]),
  ),
};
