/**
 * HogQL function calls: aggregates (compile-aggregates.ts), date functions
 * (compile-dates.ts) and the scalar functions below, with ClickHouse's
 * meaning. A function not listed here is a 400 naming it.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Call, CompareOperation, Expr } from './ast';
import { AGGREGATE_ARITY, aggregateCall, isAggregate } from './compile-aggregates';
import { asNumber, asText } from './compile-coerce';
import { isPathSafe } from './compile-properties';
import { DATE_ARITY, dateCall } from './compile-dates';
import { arithmetic } from './compile-arithmetic';
import type { Scope } from './compile-scope';
import { type Compiled, fail } from './compile-types';

const COMPARE_FUNCTIONS: Record<string, CompareOperation['op']> = {
  equals: '==',
  notEquals: '!=',
  less: '<',
  lessOrEquals: '<=',
  greater: '>',
  greaterOrEquals: '>=',
  like: 'like',
  ilike: 'ilike',
  notLike: 'not like',
  notILike: 'not ilike',
  in: 'in',
  notIn: 'not in',
};
const ARITHMETIC_FUNCTIONS = { plus: '+', minus: '-', multiply: '*', divide: '/', modulo: '%' } as const;

const SCALAR_ARITY: Record<string, [number, number]> = {
  toString: [1, 1] as [number, number],
  toInt: [1, 1],
  toInt64: [1, 1],
  toFloat: [1, 1],
  toFloat64: [1, 1],
  toUUID: [1, 1],
  round: [1, 2],
  floor: [1, 1],
  ceil: [1, 1],
  abs: [1, 1],
  intDiv: [2, 2],
  coalesce: [1, 20],
  ifNull: [2, 2],
  nullIf: [2, 2],
  if: [3, 3],
  multiIf: [3, 41],
  lower: [1, 1],
  upper: [1, 1],
  length: [1, 1],
  concat: [1, 20],
  empty: [1, 1],
  notEmpty: [1, 1],
  substring: [2, 3],
  trim: [1, 1],
  startsWith: [2, 2],
  endsWith: [2, 2],
  position: [2, 2],
  replaceAll: [3, 3],
  greatest: [2, 20],
  least: [2, 20],
  isNull: [1, 1],
  isNotNull: [1, 1],
  JSONExtractString: [2, 10],
  JSONExtractInt: [2, 10],
  JSONExtractFloat: [2, 10],
  JSONExtractBool: [2, 10],
  JSONExtractRaw: [2, 10],
  JSONHas: [2, 10],
  and: [2, 50],
  or: [2, 50],
  not: [1, 1],
  ...Object.fromEntries(Object.keys(COMPARE_FUNCTIONS).map((k) => [k, [2, 2] as [number, number]])),
  ...Object.fromEntries(Object.keys(ARITHMETIC_FUNCTIONS).map((k) => [k, [2, 2] as [number, number]])),
};

/** Names ClickHouse also takes in any letter case. */
const CASE_INSENSITIVE = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'lower',
  'upper',
  'length',
  'coalesce',
  'if',
  'round',
  'abs',
  'floor',
  'ceil',
  'concat',
  'substring',
  'trim',
  'greatest',
  'least',
  'nullIf',
]);

const ALL_ARITY: Record<string, [number, number]> = { ...SCALAR_ARITY, ...DATE_ARITY, ...AGGREGATE_ARITY };

function canonicalName(name: string): string | undefined {
  if (Object.hasOwn(ALL_ARITY, name)) return name;
  const lower = name.toLowerCase();
  for (const known of CASE_INSENSITIVE) if (known.toLowerCase() === lower) return known;
  return undefined;
}

const textLike = (type: Compiled['type']): Compiled['type'] => (type === 'Property' ? 'Property' : 'String');

/** ClickHouse's accurateCastOrNull to a number: NULL for text that is not a number. */
function toNumber(c: Compiled, integer: boolean, call: Call): Compiled {
  const n = asNumber(c, call);
  if (!integer) return { sql: sql`CAST(${n.sql} AS REAL)`, type: 'Float' };
  return { sql: sql`CAST(${n.sql} AS INTEGER)`, type: 'Int' };
}

function jsonPath(keys: Compiled[], call: Call): SQL {
  const steps = keys.map((k) => {
    const v = k.known?.value;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return `[${v - 1}]`;
    if (typeof v === 'string' && isPathSafe(v)) return `."${v}"`;
    return fail(`${call.name}: keys must be constant strings without quotes or backslashes, or indexes from 1`, call);
  });
  return sql`${`$${steps.join('')}`}`;
}

function scalar(call: Call, name: string, args: Compiled[], scope: Scope): Compiled {
  const [a, b, c] = args;
  const agg = args.some((x) => x.aggregate);
  const out = (s: SQL, type: Compiled['type']): Compiled => ({ sql: s, type, aggregate: agg });
  switch (name) {
    case 'toString':
      return { ...asText(a!, scope), aggregate: agg };
    case 'toInt':
    case 'toInt64':
      return { ...toNumber(a!, true, call), aggregate: agg };
    case 'toFloat':
    case 'toFloat64':
      return { ...toNumber(a!, false, call), aggregate: agg };
    case 'toUUID':
      return out(a!.sql, 'UUID');
    case 'round': {
      const digits = b ? b.known?.value : 0;
      if (typeof digits !== 'number' || !Number.isInteger(digits))
        fail('round: the digits must be a constant integer', call);
      return out(
        sql`round(${asNumber(a!, call).sql}, ${sql.raw(String(Math.max(-15, Math.min(15, digits))))})`,
        'Float',
      );
    }
    case 'floor':
    case 'ceil': {
      const n = asNumber(a!, call).sql;
      const t = sql`CAST(${n} AS INTEGER)`;
      return out(name === 'floor' ? sql`(${t} - (${n} < ${t}))` : sql`(${t} + (${n} > ${t}))`, 'Float');
    }
    case 'abs':
      return out(sql`abs(${asNumber(a!, call).sql})`, asNumber(a!, call).type);
    case 'intDiv':
      return out(sql`CAST(${asNumber(a!, call).sql} / ${asNumber(b!, call).sql} AS INTEGER)`, 'Int');
    case 'coalesce':
    case 'ifNull':
      return out(
        sql`COALESCE(${sql.join(
          args.map((x) => x.sql),
          sql`, `,
        )})`,
        args.find((x) => x.type !== 'Null')?.type ?? 'Null',
      );
    case 'nullIf':
      return out(sql`NULLIF(${a!.sql}, ${b!.sql})`, a!.type);
    case 'if':
      return out(sql`(CASE WHEN ${a!.sql} THEN ${b!.sql} ELSE ${c!.sql} END)`, b!.type === 'Null' ? c!.type : b!.type);
    case 'multiIf': {
      if (args.length % 2 === 0) fail('multiIf takes pairs of condition and value, then a default', call);
      const whens: SQL[] = [];
      for (let i = 0; i + 1 < args.length; i += 2) whens.push(sql`WHEN ${args[i]!.sql} THEN ${args[i + 1]!.sql}`);
      return out(sql`(CASE ${sql.join(whens, sql` `)} ELSE ${args[args.length - 1]!.sql} END)`, args[1]!.type);
    }
    case 'lower':
    case 'upper':
    case 'trim':
      return out(sql`${sql.raw(name)}(${asText(a!, scope).sql})`, textLike(a!.type));
    case 'length':
      // Bytes, as ClickHouse's length of a String.
      return out(sql`length(CAST(${asText(a!, scope).sql} AS BLOB))`, 'UInt');
    case 'concat':
      return out(
        sql`(${sql.join(
          args.map((x) => sql`COALESCE(${asText(x, scope).sql}, '')`),
          sql` || `,
        )})`,
        'String',
      );
    case 'empty':
    case 'notEmpty':
      return out(sql`(COALESCE(${asText(a!, scope).sql}, '') ${sql.raw(name === 'empty' ? '=' : '<>')} '')`, 'Bool');
    case 'substring':
      return out(
        c ? sql`substr(${a!.sql}, ${b!.sql}, ${c.sql})` : sql`substr(${a!.sql}, ${b!.sql})`,
        textLike(a!.type),
      );
    case 'startsWith':
      return out(sql`(substr(${a!.sql}, 1, length(${b!.sql})) = ${b!.sql})`, 'Bool');
    case 'endsWith':
      return out(sql`(length(${b!.sql}) = 0 OR substr(${a!.sql}, -length(${b!.sql})) = ${b!.sql})`, 'Bool');
    case 'position':
      return out(sql`instr(${a!.sql}, ${b!.sql})`, 'UInt');
    case 'replaceAll':
      return out(sql`replace(${a!.sql}, ${b!.sql}, ${c!.sql})`, textLike(a!.type));
    case 'greatest':
    case 'least':
      return out(
        sql`${sql.raw(name === 'greatest' ? 'max' : 'min')}(${sql.join(
          args.map((x) => x.sql),
          sql`, `,
        )})`,
        a!.type,
      );
    case 'isNull':
    case 'isNotNull':
      return out(sql`(${a!.sql} ${sql.raw(name === 'isNull' ? 'IS NULL' : 'IS NOT NULL')})`, 'Bool');
  }
  if (name.startsWith('JSON')) {
    const path = jsonPath(args.slice(1), call);
    const doc = asText(a!, scope).sql;
    const value = sql`json_extract(${doc}, ${path})`;
    const type = sql`json_type(${doc}, ${path})`;
    switch (name) {
      case 'JSONExtractString':
        return out(sql`COALESCE(CASE WHEN json_valid(${doc}) AND ${type} = 'text' THEN ${value} END, '')`, 'String');
      case 'JSONExtractInt':
        return out(
          sql`COALESCE(CASE WHEN json_valid(${doc}) AND ${type} IN ('integer', 'real') THEN CAST(${value} AS INTEGER) END, 0)`,
          'Int',
        );
      case 'JSONExtractFloat':
        return out(
          sql`COALESCE(CASE WHEN json_valid(${doc}) AND ${type} IN ('integer', 'real') THEN CAST(${value} AS REAL) END, 0)`,
          'Float',
        );
      case 'JSONExtractBool':
        return out(sql`(CASE WHEN json_valid(${doc}) AND ${type} = 'true' THEN 1 ELSE 0 END)`, 'Bool');
      case 'JSONExtractRaw':
        return out(sql`COALESCE(CASE WHEN json_valid(${doc}) THEN json_quote(${value}) END, '')`, 'String');
      case 'JSONHas':
        return out(sql`(CASE WHEN json_valid(${doc}) AND ${type} IS NOT NULL THEN 1 ELSE 0 END)`, 'Bool');
    }
  }
  return fail(`Unknown function ${name}`, call);
}

function rewritten(call: Call, name: string, scope: Scope): Compiled | undefined {
  const [l, r] = call.args as [Expr, Expr];
  const span = { start: call.start, end: call.end };
  const op = Object.hasOwn(COMPARE_FUNCTIONS, name) ? COMPARE_FUNCTIONS[name] : undefined;
  if (op) return scope.compile({ kind: 'CompareOperation', op, left: l, right: r, ...span }, scope);
  if (name === 'and' || name === 'or')
    return scope.compile({ kind: name === 'and' ? 'And' : 'Or', exprs: call.args, ...span }, scope);
  if (name === 'not') return scope.compile({ kind: 'Not', expr: l, ...span }, scope);
  const arith = Object.hasOwn(ARITHMETIC_FUNCTIONS, name)
    ? ARITHMETIC_FUNCTIONS[name as keyof typeof ARITHMETIC_FUNCTIONS]
    : undefined;
  if (arith) return arithmetic(arith, scope.compile(l, scope), scope.compile(r, scope), scope, call);
  return undefined;
}

export function compileCall(call: Call, scope: Scope): Compiled {
  const name = canonicalName(call.name);
  if (!name) fail(`Unknown function ${call.name}`, call);
  const [min, max] = ALL_ARITY[name]!;
  if (call.args.length < min || call.args.length > max) {
    fail(
      `${call.name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${call.args.length}`,
      call,
    );
  }
  if (call.distinct && !isAggregate(name)) fail(`DISTINCT only applies to aggregates, not ${call.name}`, call);
  if (call.params && name !== 'quantile' && name !== 'quantileIf') fail(`${call.name} takes no parameters`, call);
  const viaOperators = rewritten(call, name, scope);
  if (viaOperators) return viaOperators;
  if (isAggregate(name)) {
    if (scope.inAggregate) fail(`Aggregate ${call.name} inside another aggregate`, call);
    scope.inAggregate = true;
    try {
      const isStar = call.args.length === 1 && call.args[0]!.kind === 'Field' && call.args[0]!.chain[0] === '*';
      const args = isStar ? [] : call.args.map((a) => scope.compile(a, scope));
      return aggregateCall({ ...call, name }, args);
    } finally {
      scope.inAggregate = false;
    }
  }
  const args = call.args.map((a) => scope.compile(a, scope));
  return dateCall({ ...call, name }, args, scope) ?? scalar(call, name, args, scope);
}
