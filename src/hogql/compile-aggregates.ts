/**
 * Aggregate functions with ClickHouse's results: `count()` is a UInt64,
 * `uniq` counts distinct values exactly, `sum` of nothing is 0, the `If`
 * forms aggregate only the rows their condition holds for, and `median` /
 * `quantile(p)(x)` interpolate between the sorted values as ClickHouse's
 * quantile does (exactly, not from a sample).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Call } from './ast';
import { asNumber } from './compile-coerce';
import { type Compiled, fail } from './compile-types';

/** Aggregate names, with how many arguments they take (the `If` forms add the condition). */
export const AGGREGATE_ARITY: Record<string, [number, number]> = {
  count: [0, 1],
  countIf: [1, 2],
  uniq: [1, 8],
  uniqExact: [1, 8],
  countDistinct: [1, 1],
  uniqIf: [2, 2],
  uniqExactIf: [2, 2],
  sum: [1, 1],
  sumIf: [2, 2],
  avg: [1, 1],
  avgIf: [2, 2],
  min: [1, 1],
  minIf: [2, 2],
  max: [1, 1],
  maxIf: [2, 2],
  any: [1, 1],
  anyIf: [2, 2],
  median: [1, 1],
  medianIf: [2, 2],
  quantile: [1, 1],
  quantileIf: [2, 2],
};

export const isAggregate = (name: string) => Object.hasOwn(AGGREGATE_ARITY, name);

/**
 * ClickHouse's interpolated quantile of the group's non-null numbers (NULL when there are none):
 * the group's values gathered once (json_group_array), ranked, and the two around the level read.
 */
function quantileSql(values: SQL, level: number): SQL {
  const ranked = sql`SELECT q.value AS v, row_number() OVER (ORDER BY q.value) - 1 AS rn
    FROM json_each(a) q WHERE q.type <> 'null'`;
  const around = sql`SELECT max(CASE WHEN r.rn = CAST(pos AS INTEGER) THEN r.v END) AS lo,
      max(CASE WHEN r.rn = CAST(pos AS INTEGER) + 1 THEN r.v END) AS hi FROM (${ranked}) r`;
  const interpolated = sql`(SELECT lo + (COALESCE(hi, lo) - lo) * (pos - CAST(pos AS INTEGER)) FROM (${around}))`;
  const positioned = sql`SELECT a, ${sql.raw(String(level))} * ((SELECT count(*) FROM json_each(a) q
      WHERE q.type <> 'null') - 1) AS pos FROM (SELECT json_group_array(${values}) AS a)`;
  return sql`(SELECT ${interpolated} FROM (${positioned}))`;
}

function levelOf(call: Call): number {
  const p = call.params?.[0];
  if (
    !p ||
    call.params!.length !== 1 ||
    p.kind !== 'Constant' ||
    typeof p.value !== 'number' ||
    p.value < 0 ||
    p.value > 1
  ) {
    fail(`${call.name} takes one level between 0 and 1: ${call.name}(0.9)(x)`, call);
  }
  return p.value;
}

export function aggregateCall(call: Call, args: Compiled[]): Compiled {
  const name = call.name;
  const base = name.endsWith('If') && name !== 'countIf' ? name.slice(0, -2) : name;
  const condition = name.endsWith('If') ? args[args.length - 1] : undefined;
  const values = condition ? args.slice(0, -1) : args;
  const when = (v: SQL) => (condition ? sql`CASE WHEN ${condition.sql} THEN ${v} END` : v);
  const first = values[0];
  const distinct = call.distinct ? sql.raw('DISTINCT ') : sql``;
  if (call.params && base !== 'quantile') fail(`${name} takes no parameters`, call);
  const agg = (s: SQL, type: Compiled['type'], zone?: string): Compiled => ({ sql: s, type, aggregate: true, zone });
  switch (base) {
    case 'count':
    case 'countIf':
      if (name === 'countIf') return agg(sql`count(${when(first ? first.sql : sql`1`)})`, 'UInt');
      return agg(first ? sql`count(${distinct}${first.sql})` : sql`count(*)`, 'UInt');
    case 'uniq':
    case 'uniqExact':
    case 'countDistinct': {
      const value =
        values.length === 1
          ? first!.sql
          : sql`json_array(${sql.join(
              values.map((v) => v.sql),
              sql`, `,
            )})`;
      return agg(sql`count(DISTINCT ${when(value)})`, 'UInt');
    }
    case 'sum': {
      const n = asNumber(first!, call);
      return agg(sql`COALESCE(sum(${distinct}${when(n.sql)}), 0)`, n.type === 'Float' ? 'Float' : 'Int');
    }
    case 'avg':
      return agg(sql`avg(${distinct}${when(asNumber(first!, call).sql)})`, 'Float');
    case 'min':
    case 'max':
    case 'any':
      return agg(sql`${sql.raw(base === 'max' ? 'max' : 'min')}(${when(first!.sql)})`, first!.type, first!.zone);
    case 'median':
      return agg(quantileSql(when(asNumber(first!, call).sql), 0.5), 'Float');
    case 'quantile':
      return agg(quantileSql(when(asNumber(first!, call).sql), levelOf(call)), 'Float');
  }
  return fail(`Unknown aggregate ${name}`, call);
}
