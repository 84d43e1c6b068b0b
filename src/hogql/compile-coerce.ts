/**
 * Conversions between the compiler's value types, with ClickHouse's meaning:
 * text compared with a number is read as a number, a string compared with a
 * DateTime is a date or datetime in the project's time zone, a Date compared
 * with a DateTime is its midnight.
 */
import { sql, type SQL } from 'drizzle-orm';
import { parsePoint } from '../query/date-range';
import { QueryError } from '../query/errors';
import { instantOfLocal } from '../query/time';
import { offsetMsAt } from '../time-zone';
import { localOfSql, storedUtcPrefix, utcOfLocalSql } from './compile-time';
import type { Scope } from './compile-scope';
import { type Compiled, type KnownValue, fail, isText } from './compile-types';

type At = { start: number; end: number };

export const boundValue = (value: KnownValue): SQL => {
  if (value === null) return sql`NULL`;
  if (typeof value === 'boolean') return sql.raw(value ? '1' : '0');
  return sql`${value}`;
};

/** A compile-time constant of a type. */
export function known(value: KnownValue, type: Compiled['type']): Compiled {
  if (type === 'DateTime') return { sql: boundValue(new Date(value as number).toISOString()), type, known: { value } };
  return { sql: boundValue(value), type, known: { value } };
}

/** `YYYY-MM-DD` (a date) or a datetime text as an instant in `timezone`. */
function instantOfText(text: string, timezone: string, at: At): number {
  try {
    return parsePoint(text.trim(), 'value', timezone, 0).instant;
  } catch (error) {
    if (error instanceof QueryError)
      fail(`Cannot parse ${JSON.stringify(text.slice(0, 60))} as a date or datetime`, at);
    throw error;
  }
}

export function dateOfInstant(instant: number, timezone: string): string {
  const wall = new Date(instant + (Math.round(offsetAt(instant, timezone)) || 0));
  return wall.toISOString().slice(0, 10);
}

const offsetAt = (instant: number, timezone: string) => (timezone === 'UTC' ? 0 : offsetMsAt(instant, timezone));

const zoneOf = (c: Compiled, scope: Scope) => c.zone ?? scope.ctx.timezone;

/** Any value as a DateTime (UTC ISO text in SQL). */
export function asDateTime(c: Compiled, scope: Scope, at: At): Compiled {
  const zone = zoneOf(c, scope);
  if (c.type === 'DateTime' || c.type === 'Null') return c;
  if (c.known && c.known.value !== null) {
    const v = c.known.value;
    if (c.type === 'Date') {
      const [y, m, d] = String(v).split('-').map(Number);
      return { ...known(instantOfLocal(zone, y!, m!, d!), 'DateTime'), zone: c.zone };
    }
    if (typeof v === 'number') return { ...known(v * 1000, 'DateTime'), zone: c.zone };
    if (typeof v === 'string') return { ...known(instantOfText(v, zone, at), 'DateTime'), zone: c.zone };
  }
  const segments = scope.ctx.segmentsOf(zone);
  if (c.type === 'Date')
    return { sql: utcOfLocalSql(sql`(${c.sql} || ' 00:00:00.000')`, segments), type: 'DateTime', zone: c.zone };
  if (c.type === 'Int' || c.type === 'UInt' || c.type === 'Float')
    return { sql: sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${c.sql}, 'unixepoch')`, type: 'DateTime' };
  if (isText(c.type)) return { sql: utcOfLocalSql(c.sql, segments), type: 'DateTime', zone: c.zone };
  return fail(`Cannot use a ${c.type} value as a DateTime`, at);
}

/** Any value as a Date (`YYYY-MM-DD` text): a DateTime's calendar day in its zone. */
export function asDate(c: Compiled, scope: Scope, at: At): Compiled {
  const zone = zoneOf(c, scope);
  if (c.type === 'Date' || c.type === 'Null') return c;
  if (c.known && c.known.value !== null) {
    if (c.type === 'DateTime') return known(dateOfInstant(c.known.value as number, zone), 'Date');
    if (typeof c.known.value === 'string')
      return known(dateOfInstant(instantOfText(c.known.value, zone, at), zone), 'Date');
  }
  if (c.type === 'DateTime') {
    const segments = scope.ctx.segmentsOf(zone);
    const prefix = storedUtcPrefix(c.sql, segments);
    return { sql: prefix ? prefix(10) : sql`substr(${localOfSql(c.sql, segments)}, 1, 10)`, type: 'Date' };
  }
  if (isText(c.type)) return { sql: sql`date(${c.sql})`, type: 'Date' };
  return fail(`Cannot use a ${c.type} value as a Date`, at);
}

/** Text holding a number, as the number (NULL otherwise); numbers as they are. */
export function asNumber(c: Compiled, at: At): Compiled {
  if (c.type === 'Int' || c.type === 'UInt' || c.type === 'Float' || c.type === 'Bool' || c.type === 'Null') return c;
  if (c.known && typeof c.known.value === 'string') {
    const n = Number(c.known.value);
    return known(c.known.value.trim() !== '' && Number.isFinite(n) ? n : null, 'Float');
  }
  if (isText(c.type) || c.type === 'Unknown') {
    return {
      sql: sql`(SELECT CASE WHEN t <> '' AND json_valid(t) AND json_type(t) IN ('integer', 'real') THEN t + 0 END
        FROM (SELECT trim(${c.sql}) AS t))`,
      type: 'Float',
    };
  }
  return fail(`Cannot use a ${c.type} value as a number`, at);
}

/** Any value as text, in ClickHouse's toString form. */
export function asText(c: Compiled, scope: Scope): Compiled {
  if (isText(c.type) || c.type === 'Null' || c.type === 'Date')
    return { ...c, type: c.type === 'Property' ? 'Property' : c.type === 'Null' ? 'Null' : 'String' };
  if (c.type === 'DateTime') {
    const local = localOfSql(c.sql, scope.ctx.segmentsOf(zoneOf(c, scope)));
    return { sql: sql`substr(${local}, 1, 19)`, type: 'String' };
  }
  return { sql: sql`CAST(${c.sql} AS TEXT)`, type: 'String' };
}
