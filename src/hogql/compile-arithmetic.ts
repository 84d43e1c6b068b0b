import { sql } from 'drizzle-orm';
import type { ArithmeticOperation, Expr } from './ast';
import { asNumber } from './compile-coerce';
import { addIntervalSql } from './compile-dates';
import type { Scope } from './compile-scope';
import { type Compiled, fail } from './compile-types';

const ARITHMETIC_SQL: Record<string, string> = { '+': '+', '-': '-', '*': '*', '%': '%' };

export function arithmetic(
  op: ArithmeticOperation['op'],
  left: Compiled,
  right: Compiled,
  scope: Scope,
  at: Expr,
): Compiled {
  const aggregate = left.aggregate || right.aggregate;
  if (right.type === 'Interval' && (op === '+' || op === '-'))
    return { ...addIntervalSql(left, right, op, scope, at), aggregate };
  if (left.type === 'Interval' && op === '+') return { ...addIntervalSql(right, left, op, scope, at), aggregate };
  if (left.type === 'Interval' || right.type === 'Interval')
    fail('An interval can only be added to or subtracted from a date', at);
  const l = asNumber(left, at);
  const r = asNumber(right, at);
  if (op === '/') return { sql: sql`(CAST(${l.sql} AS REAL) / ${r.sql})`, type: 'Float', aggregate };
  const type = l.type === 'Float' || r.type === 'Float' ? 'Float' : 'Int';
  return { sql: sql`(${l.sql} ${sql.raw(ARITHMETIC_SQL[op]!)} ${r.sql})`, type, aggregate };
}
