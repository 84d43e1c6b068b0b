/**
 * HogQL expressions to SQLite SQL. Every literal is a bound parameter, every
 * name is resolved against the scope's tables (src/hogql/compile-schema.ts)
 * or select aliases; anything else is a HogQLCompileError naming it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { CompareOperation, Expr } from './ast';
import { asDate, asDateTime, asNumber, boundValue, known } from './compile-coerce';
import { arithmetic } from './compile-arithmetic';
import { compileCall } from './compile-functions';
import { fieldOf } from './compile-fields';
import { likeSql } from './compile-like';
import type { Scope } from './compile-scope';
import { type Compiled, type KnownValue, fail, isNumeric, isText } from './compile-types';

const typeOfConstant = (v: KnownValue): Compiled['type'] =>
  v === null
    ? 'Null'
    : typeof v === 'boolean'
      ? 'Bool'
      : typeof v === 'string'
        ? 'String'
        : Number.isInteger(v)
          ? 'Int'
          : 'Float';

function constantOf(v: KnownValue): Compiled {
  return known(v, typeOfConstant(v));
}

function placeholder(expr: Expr & { kind: 'Placeholder' }, scope: Scope): Compiled {
  const chain = expr.expr.kind === 'Field' ? expr.expr.chain : undefined;
  if (!chain) fail('Placeholders hold a name: {filters} or {name}', expr);
  const name = chain.join('.');
  if (name === 'filters') {
    if (!scope.tables.some((t) => t.kind === 'events'))
      fail("Cannot use the 'filters' placeholder in a SELECT that does not select from events", expr);
    const filters = scope.ctx.filters;
    if (!filters) return known(true, 'Bool');
    if (filters.person) scope.joins.person = scope.joins.owner = true;
    return { sql: filters.sql, type: 'Bool' };
  }
  const values = scope.ctx.values ?? {};
  if (!Object.hasOwn(values, name)) fail(`Placeholder {${name}} has no value: send it in "values"`, expr);
  const value = values[name]!;
  if (Array.isArray(value)) fail(`Placeholder {${name}}: a list can only stand after IN`, expr);
  return constantOf(value);
}

/** A placeholder holding a list, or a tuple/array of expressions: the right side of IN. */
function listOf(expr: Expr, scope: Scope): Compiled[] | undefined {
  if (expr.kind === 'Tuple' || expr.kind === 'Array') return expr.exprs.map((e) => compileExpr(e, scope));
  if (expr.kind === 'Placeholder' && expr.expr.kind === 'Field') {
    const value = scope.ctx.values?.[expr.expr.chain.join('.')];
    if (Array.isArray(value)) return value.map(constantOf);
  }
  return undefined;
}

function inSql(c: CompareOperation, scope: Scope): Compiled {
  const left = compileExpr(c.left, scope);
  const negate = c.op === 'not in';
  let set: SQL;
  if (c.right.kind === 'SelectQuery' || c.right.kind === 'SelectSetQuery') {
    const sub = scope.subquery(c.right);
    if (sub.columns.length !== 1) fail('A subquery after IN must select one column', c.right);
    set = sub.sql;
  } else {
    const items = listOf(c.right, scope) ?? [compileExpr(c.right, scope)];
    const matched = items.map((item) => comparable(left, item, scope, c));
    const constants = matched.every(([, r]) => r.known !== undefined && r.type !== 'Null');
    if (constants && items.length > 1) {
      const values = matched.map(([, r]) =>
        r.type === 'DateTime' ? new Date(r.known!.value as number).toISOString() : r.known!.value,
      );
      set = sql`SELECT value FROM json_each(${JSON.stringify(values)})`;
    } else {
      set = sql.join(
        matched.map(([, r]) => r.sql),
        sql`, `,
      );
    }
    const l = matched[0]?.[0] ?? left;
    return { sql: sql`(${l.sql} ${sql.raw(negate ? 'NOT IN' : 'IN')} (${set}))`, type: 'Bool' };
  }
  return { sql: sql`(${left.sql} ${sql.raw(negate ? 'NOT IN' : 'IN')} (${set}))`, type: 'Bool' };
}

/** Both sides of a comparison in one comparable form. */
function comparable(l: Compiled, r: Compiled, scope: Scope, at: Expr): [Compiled, Compiled] {
  const timeOf = (c: Compiled) => c.type === 'DateTime' || c.type === 'Date';
  if (timeOf(l) || timeOf(r)) {
    if (l.type === 'Date' && (r.type === 'Date' || (isText(r.type) && r.known))) return [l, asDate(r, scope, at)];
    if (r.type === 'Date' && isText(l.type) && l.known) return [asDate(l, scope, at), r];
    if (l.type === 'Null' || r.type === 'Null') return [l, r];
    return [asDateTime(l, scope, at), asDateTime(r, scope, at)];
  }
  if (isNumeric(l.type) && isText(r.type)) {
    if (l.type === 'Bool' && l.known && r.type === 'Property')
      return [known(l.known.value ? 'true' : 'false', 'String'), r];
    return [l, asNumber(r, at)];
  }
  if (isText(l.type) && isNumeric(r.type)) {
    const [b, a] = comparable(r, l, scope, at);
    return [a, b];
  }
  return [l, r];
}

const COMPARE_SQL: Record<string, string> = { '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function compare(c: CompareOperation, scope: Scope): Compiled {
  if (c.op === 'in' || c.op === 'not in') return inSql(c, scope);
  const op = COMPARE_SQL[c.op];
  const left = compileExpr(c.left, scope);
  const right = compileExpr(c.right, scope);
  // As PostHog's printer: `x = NULL` / `x != NULL` (and `IS [NOT] NULL`) are isNull / isNotNull, not a comparison.
  if ((c.op === '==' || c.op === '!=') && (left.type === 'Null' || right.type === 'Null')) {
    const other = left.type === 'Null' ? right : left;
    return {
      sql: sql`(${other.sql} ${sql.raw(c.op === '==' ? 'IS NULL' : 'IS NOT NULL')})`,
      type: 'Bool',
      aggregate: other.aggregate,
    };
  }
  if (op) {
    const [l, r] = comparable(left, right, scope, c);
    return { sql: sql`(${l.sql} ${sql.raw(op)} ${r.sql})`, type: 'Bool', aggregate: l.aggregate || r.aggregate };
  }
  if (c.op === 'like' || c.op === 'ilike' || c.op === 'not like' || c.op === 'not ilike') {
    return { sql: likeSql(left, right, c.op), type: 'Bool' };
  }
  return fail(
    c.op.includes('cohort')
      ? 'Cohorts are not supported'
      : `The regex operator ${c.op} is not supported (SQLite in D1 has no regular expressions); use LIKE or ILIKE`,
    c,
  );
}

function accessPath(expr: Expr, scope: Scope): Compiled {
  const steps: (string | number)[] = [];
  let node: Expr = expr;
  while (node.kind === 'ArrayAccess') {
    const p = node.property;
    if (p.kind !== 'Constant' || (typeof p.value !== 'string' && typeof p.value !== 'number'))
      fail('Only constant keys and indexes can follow [', p);
    steps.unshift(typeof p.value === 'number' ? p.value - 1 : p.value);
    node = node.array;
  }
  if (node.kind !== 'Field') fail('[ ] can only follow a properties field', expr);
  return fieldOf(node, scope, steps);
}

export function compileExpr(expr: Expr, scope: Scope): Compiled {
  switch (expr.kind) {
    case 'Constant':
      return constantOf(expr.value);
    case 'Field':
      return fieldOf(expr, scope);
    case 'Placeholder':
      return placeholder(expr, scope);
    case 'Alias':
      return compileExpr(expr.expr, scope);
    case 'Call':
      return compileCall(expr, scope);
    case 'CompareOperation':
      return compare(expr, scope);
    case 'ArithmeticOperation':
      return arithmetic(expr.op, compileExpr(expr.left, scope), compileExpr(expr.right, scope), scope, expr);
    case 'And':
    case 'Or': {
      const parts = expr.exprs.map((e) => compileExpr(e, scope));
      const joined = sql.join(
        parts.map((p) => p.sql),
        sql.raw(expr.kind === 'And' ? ' AND ' : ' OR '),
      );
      return { sql: sql`(${joined})`, type: 'Bool', aggregate: parts.some((p) => p.aggregate) };
    }
    case 'Not': {
      const inner = compileExpr(expr.expr, scope);
      return { sql: sql`(NOT ${inner.sql})`, type: 'Bool', aggregate: inner.aggregate };
    }
    case 'BetweenExpr': {
      const value = compileExpr(expr.expr, scope);
      const [v1, low] = comparable(value, compileExpr(expr.low, scope), scope, expr);
      const [v2, high] = comparable(value, compileExpr(expr.high, scope), scope, expr);
      const between = sql`(${v1.sql} >= ${low.sql} AND ${v2.sql} <= ${high.sql})`;
      return { sql: expr.negated ? sql`(NOT ${between})` : between, type: 'Bool' };
    }
    case 'ArrayAccess':
      return accessPath(expr, scope);
    case 'SelectQuery':
    case 'SelectSetQuery': {
      const sub = scope.subquery(expr);
      if (sub.columns.length !== 1) fail('A subquery used as a value must select one column', expr);
      return { sql: sql`(${sub.sql})`, type: sub.columns[0]!.type, zone: sub.columns[0]!.zone };
    }
    case 'Tuple':
    case 'Array':
      return fail('Tuples and arrays are only supported after IN', expr);
    case 'TupleAccess':
      return fail('Tuple access (x.1) is not supported', expr);
    case 'Lambda':
      return fail('Lambdas are not supported', expr);
  }
}

export { boundValue };
