/**
 * What the HogQL compiler hands around: a compiled expression (SQL plus its
 * HogQL type, and its value when known at compile time), the error it throws,
 * and the ClickHouse type names PostHog reports in `types`.
 */
import type { SQL } from 'drizzle-orm';

/**
 * How a value is held in SQLite: String/Property as text (Property: a JSON
 * property's text form, NULL when missing), Int/Float/Bool as numbers (Bool 0/1),
 * DateTime as UTC ISO text like the stored timestamps, Date as `YYYY-MM-DD`.
 */
export type HType =
  | 'String'
  | 'Property'
  | 'Int'
  | 'UInt'
  | 'Float'
  | 'Bool'
  | 'DateTime'
  | 'Date'
  | 'UUID'
  | 'Null'
  | 'Interval'
  | 'Unknown';

export type IntervalUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** A value known at compile time: numbers, text, booleans, null, or an instant (DateTime, epoch ms). */
export type KnownValue = string | number | boolean | null;

export interface Compiled {
  sql: SQL;
  type: HType;
  /** Set when the value is known at compile time (for DateTime: epoch ms; for Date: `YYYY-MM-DD`). */
  known?: { value: KnownValue };
  /** For Interval values: the unit (the count is `known` or `sql`). */
  unit?: IntervalUnit;
  /** Holds an aggregate call. */
  aggregate?: boolean;
  /** For DateTime values: the time zone they read in (toTimeZone); the project's when unset. */
  zone?: string;
}

/** A query the compiler refuses; `start`/`end` locate the offending text when known. */
export class HogQLCompileError extends Error {
  override readonly name = 'HogQLCompileError';
  constructor(
    message: string,
    readonly start?: number,
    readonly end?: number,
  ) {
    super(message);
  }
}

export function fail(message: string, at?: { start: number; end: number }): never {
  throw new HogQLCompileError(message, at?.start, at?.end);
}

/** The ClickHouse type name PostHog reports for a column of this type. */
export function clickHouseType(type: HType, timezone: string): string {
  switch (type) {
    case 'String':
      return 'String';
    case 'Property':
      return 'Nullable(String)';
    case 'Int':
      return 'Int64';
    case 'UInt':
      return 'UInt64';
    case 'Float':
      return 'Float64';
    case 'Bool':
      return 'UInt8';
    case 'DateTime':
      return `DateTime64(6, '${timezone}')`;
    case 'Date':
      return 'Date';
    case 'UUID':
      return 'UUID';
    case 'Null':
      return 'Nullable(Nothing)';
    default:
      return 'String';
  }
}

export const isNumeric = (t: HType) => t === 'Int' || t === 'UInt' || t === 'Float' || t === 'Bool';
export const isText = (t: HType) => t === 'String' || t === 'Property' || t === 'UUID';
