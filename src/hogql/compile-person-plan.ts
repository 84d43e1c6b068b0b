/**
 * The distinct-persons plan, as the TrendsQuery's `dau` (src/query/trends-series.ts): a SELECT over
 * events that counts distinct persons (`count(DISTINCT person_id)`, `uniq(person.properties.email)`)
 * grouped by event expressions and/or person expressions first groups the events by (distinct id,
 * stored person, event-level group keys) and only then looks up each distinct id's current person,
 * once per group instead of once per event. Duplicate events change none of these aggregates, so the
 * answer is the same; a query of any other shape compiles as written (compile-select.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Expr, SelectQuery } from './ast';
import { compileExpr } from './compile-expr';
import { type CompileContext, MAX_TABLES, type OutputColumn, type Scope } from './compile-scope';
import { isAggregate } from './compile-aggregates';
import { type Compiled, fail } from './compile-types';
import { printExpr } from './print';

/** Aggregates that a repeated row does not change, when their one argument is person-level. */
const DISTINCT_AGGREGATES = new Set(['uniq', 'uniqExact', 'countDistinct']);

type Level = 'constant' | 'event' | 'person' | 'mixed';

const combine = (a: Level, b: Level): Level => (a === 'constant' ? b : b === 'constant' || a === b ? a : 'mixed');

const isDistinctPersonCount = (e: Expr, level: (e: Expr) => Level | undefined): boolean =>
  e.kind === 'Call' &&
  e.args.length === 1 &&
  !e.params &&
  ((e.name === 'count' && e.distinct) || DISTINCT_AGGREGATES.has(e.name)) &&
  level(e.args[0]!) === 'person';

const unalias = (e: Expr): Expr => (e.kind === 'Alias' ? unalias(e.expr) : e);

/** Children of a node (every Expr-valued field, subqueries included), for walks over a tree. */
export function children(node: Expr): Expr[] {
  const out: Expr[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'kind') continue;
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) if (item && typeof item === 'object' && 'kind' in item) out.push(item as Expr);
  }
  return out;
}

/**
 * Whether an expression reads the event row, the person, both, or neither; undefined when it holds
 * something the plan does not take (subqueries, lambdas, aggregates other than distinct counts).
 */
function levelWalker(q: SelectQuery, tableNames: string[], ctx: CompileContext) {
  const aliases = new Map<string, Expr>();
  for (const item of q.select) if (item.kind === 'Alias') aliases.set(item.alias, item.expr);
  const expanding = new Set<string>();
  const level = (e: Expr, inAggregate = false): Level | undefined => {
    switch (e.kind) {
      case 'Constant':
        return 'constant';
      case 'Field': {
        const chain = e.chain.length > 1 && tableNames.includes(e.chain[0]!) ? e.chain.slice(1) : e.chain;
        const [first] = chain;
        if (e.chain.length === 1 && aliases.has(first!) && !expanding.has(first!)) {
          expanding.add(first!);
          try {
            return level(aliases.get(first!)!, inAggregate);
          } finally {
            expanding.delete(first!);
          }
        }
        if (first === '*') return undefined;
        return first === 'person_id' || first === 'person' ? 'person' : 'event';
      }
      case 'Placeholder': {
        const name = e.expr.kind === 'Field' ? e.expr.chain.join('.') : '';
        if (name !== 'filters') return 'constant';
        return ctx.filters?.person ? undefined : 'event';
      }
      case 'SelectQuery':
      case 'SelectSetQuery':
      case 'Lambda':
        return undefined;
      case 'Call':
        if (isDistinctPersonCount(e, (a) => (inAggregate ? undefined : level(a, true)))) return 'constant';
        if (isAggregate(e.name)) return undefined;
        break;
    }
    let out: Level = 'constant';
    for (const child of children(e)) {
      const l = level(child, inAggregate);
      if (l === undefined) return undefined;
      out = combine(out, l);
    }
    return out;
  };
  return { level: (e: Expr) => level(e), aliases };
}

/** Conjuncts of a WHERE (a top-level AND split). */
const conjuncts = (e: Expr | undefined): Expr[] => (!e ? [] : e.kind === 'And' ? e.exprs.flatMap(conjuncts) : [e]);

interface PlanScopes {
  /** A fresh scope over the events table aliased `e` (the inner query's, then the outer one's). */
  eventsScope(names: string[]): Scope;
}

/** The plan's SQL, or undefined when the query's shape does not allow it. */
export function distinctPersonsPlan(
  q: SelectQuery,
  ctx: CompileContext,
  scopes: PlanScopes,
): { sql: SQL; columns: OutputColumn[] } | undefined {
  const from = q.select_from;
  if (q.ctes?.length || !from || from.next_join || from.table_args || from.table.kind !== 'Field') return undefined;
  if (from.table.chain.length !== 1 || from.table.chain[0] !== 'events' || ctx.ctes.has('events')) return undefined;
  const names = from.alias ? [from.alias, 'events'] : ['events'];
  const { level, aliases } = levelWalker(q, names, ctx);

  // The group keys, each read from the event row or from the person only.
  const keyExprs = (q.group_by ?? []).map((g) => {
    if (g.kind === 'Constant' && typeof g.value === 'number') return unalias(q.select[g.value - 1] ?? g);
    if (g.kind === 'Field' && g.chain.length === 1 && aliases.has(g.chain[0]!))
      return unalias(aliases.get(g.chain[0]!)!);
    return g;
  });
  const keyLevels = keyExprs.map(level);
  if (keyLevels.some((l) => l === undefined || l === 'mixed')) return undefined;
  const items = q.select.map(unalias);
  const hasAggregate = items.some((e) => isDistinctPersonCount(e, level));
  if (!keyExprs.length && !hasAggregate) return undefined;
  const eventKeys = keyExprs.filter((_, i) => keyLevels[i] === 'event');
  const eventKeyText = eventKeys.map(printExpr);
  const keyText = new Set(keyExprs.map(printExpr));
  // Every select item: a distinct-persons aggregate, a group key or a constant.
  for (const item of items) {
    if (isDistinctPersonCount(item, level) || keyText.has(printExpr(item))) continue;
    if (level(item) !== 'constant') return undefined;
  }
  const where = conjuncts(q.prewhere).concat(conjuncts(q.where));
  const whereLevels = where.map(level);
  if (whereLevels.some((l) => l === undefined || l === 'mixed')) return undefined;
  if (q.having && !['person', 'constant'].includes(level(q.having) ?? 'mixed')) return undefined;

  const inner = scopes.eventsScope(names);
  const keys = eventKeys.map((k) => compileExpr(k, inner));
  const innerWhere = where.filter((_, i) => whereLevels[i] !== 'person').map((w) => compileExpr(w, inner));
  if (inner.joins.owner || inner.joins.person || [...keys, ...innerWhere].some((c) => c.aggregate)) return undefined;
  if (++ctx.tablesUsed > MAX_TABLES) fail(`A query may read at most ${MAX_TABLES} tables and subqueries`, from);
  const outer = scopes.eventsScope(names);
  outer.joins.rows = 's';
  const keyColumn = (c: Compiled, i: number): Compiled => ({ ...c, sql: sql.raw(`s.g${i}`), known: undefined });
  const outerOf = (e: Expr): Compiled => {
    const i = eventKeyText.indexOf(printExpr(unalias(e)));
    return i >= 0 ? keyColumn(keys[i]!, i) : compileExpr(e, outer);
  };
  const compiled = items.map(outerOf);
  const columns: OutputColumn[] = q.select.map((item, i) => ({
    name: item.kind === 'Alias' ? item.alias : printExpr(item),
    lookup: item.kind === 'Alias' ? undefined : item.kind === 'Field' ? item.chain[item.chain.length - 1] : undefined,
    column: `c${ctx.columnCounter++}`,
    type: compiled[i]!.type,
    zone: compiled[i]!.zone,
  }));
  // A position, a select alias or a selected expression names its result column.
  const columnOf = (e: Expr): SQL | undefined => {
    if (e.kind === 'Constant' && typeof e.value === 'number') {
      if (!Number.isInteger(e.value) || e.value < 1 || e.value > items.length)
        fail(`Position ${e.value} is not a selected column (1 to ${items.length})`, e);
      return sql.raw(columns[e.value - 1]!.column);
    }
    const byAlias = q.select.findIndex(
      (s) => s.kind === 'Alias' && e.kind === 'Field' && e.chain.join('.') === s.alias,
    );
    const i = byAlias >= 0 ? byAlias : items.findIndex((s) => printExpr(s) === printExpr(e));
    if (i >= 0) return sql.raw(columns[i]!.column);
    const k = eventKeyText.indexOf(printExpr(e));
    return k >= 0 ? sql.raw(`s.g${k}`) : undefined;
  };
  const groupBy = keyExprs.map((k, i) =>
    keyLevels[i] === 'event' ? sql.raw(`s.g${eventKeys.indexOf(k)}`) : compileExpr(k, outer).sql,
  );
  const orderBy: SQL[] = [];
  for (const o of q.order_by ?? []) {
    const column = columnOf(o.expr) ?? (level(o.expr) === 'person' ? compileExpr(o.expr, outer).sql : undefined);
    if (!column) return undefined;
    orderBy.push(
      sql`${column} ${sql.raw(o.order === 'DESC' ? 'DESC' : 'ASC')}${o.nulls ? sql.raw(` NULLS ${o.nulls}`) : sql``}`,
    );
  }
  const outerWhere = where.filter((_, i) => whereLevels[i] === 'person').map((w) => compileExpr(w, outer).sql);
  const having = q.having ? compileExpr(q.having, outer).sql : undefined;

  const innerSelect = [
    sql`e.distinct_id AS distinct_id`,
    sql`e.person_id_at_ingest AS person_id_at_ingest`,
    ...keys.map((k, i) => sql`${k.sql} AS ${sql.raw(`g${i}`)}`),
  ];
  const innerWhereSql = [sql`e.project_id = ${ctx.projectId}`, ...innerWhere.map((c) => c.sql)];
  const innerSql = sql`SELECT ${sql.join(innerSelect, sql`, `)} FROM events AS e WHERE ${sql.join(innerWhereSql, sql` AND `)}
    GROUP BY ${sql.raw(innerSelect.map((_, i) => String(i + 1)).join(', '))}`;
  const joins = [
    sql`LEFT JOIN person_distinct_ids m ON m.project_id = ${ctx.projectId} AND m.distinct_id = s.distinct_id`,
  ];
  if (outer.joins.person)
    joins.push(
      sql`LEFT JOIN persons p ON p.id = COALESCE(m.person_id, s.person_id_at_ingest) AND p.project_id = ${ctx.projectId}`,
    );
  const select = sql.join(
    compiled.map((c, i) => sql`${c.sql} AS ${sql.raw(columns[i]!.column)}`),
    sql`, `,
  );
  const clauses: SQL[] = [
    sql`SELECT ${sql.raw(q.distinct ? 'DISTINCT ' : '')}${select} FROM (${innerSql}) AS s ${sql.join(joins, sql` `)}`,
  ];
  if (outerWhere.length) clauses.push(sql`WHERE ${sql.join(outerWhere, sql` AND `)}`);
  if (groupBy.length) clauses.push(sql`GROUP BY ${sql.join(groupBy, sql`, `)}`);
  if (having) clauses.push(sql`HAVING ${having}`);
  if (orderBy.length) clauses.push(sql`ORDER BY ${sql.join(orderBy, sql`, `)}`);
  return { sql: sql.join(clauses, sql` `), columns };
}
