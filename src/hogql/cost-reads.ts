/**
 * What a HogQL query reads, before it runs: every table read (events with the timestamp range and
 * event names its WHERE bounds it to, persons, groups) and how the reads combine — a CROSS JOIN or a
 * join without an equality multiplies its sides, everything else (joins ON a = b, subqueries in
 * FROM, IN and as values, UNION ALL members, each use of a CTE) adds. src/query/hogql-cost.ts counts
 * the rows on the indexes and refuses a query over the budget.
 */
import type { Expr, JoinExpr, SelectQuery, SelectSetQuery, Span } from './ast';
import { compileContext } from './compile';
import { asDateTime } from './compile-coerce';
import { compileExpr } from './compile-expr';
import { children } from './compile-person-plan';
import type { CompileOptions, Scope } from './compile-scope';
import { type TableName, isTableName } from './compile-schema';

export type Reads =
  | { kind: 'table'; table: TableName; from?: number; to?: number; events?: string[]; at: Span }
  | { kind: 'sum' | 'product'; parts: Reads[] };

interface ReadsOptions extends CompileOptions {
  /** The range `{filters}` stands for (filters.dateRange). */
  filtersRange?: { from?: number; to?: number };
}

type Query = SelectQuery | SelectSetQuery;

const sum = (parts: Reads[]): Reads => (parts.length === 1 ? parts[0]! : { kind: 'sum', parts });

/** Subqueries inside expressions (IN, scalar values), not descending into them. */
function subqueriesIn(e: Expr | undefined, out: Query[] = []): Query[] {
  if (!e) return out;
  if (e.kind === 'SelectQuery' || e.kind === 'SelectSetQuery') out.push(e);
  else for (const c of children(e)) subqueriesIn(c, out);
  return out;
}

const conjuncts = (e: Expr | undefined): Expr[] => (!e ? [] : e.kind === 'And' ? e.exprs.flatMap(conjuncts) : [e]);

/** An equality between two fields at the top of an ON: SQLite joins it through an index, linearly. */
const hasEquality = (on: Expr | undefined): boolean =>
  conjuncts(on).some(
    (c) => c.kind === 'CompareOperation' && c.op === '==' && c.left.kind === 'Field' && c.right.kind === 'Field',
  );

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==' };

/** The events scope a SELECT's WHERE bounds its events table to. */
function eventsBounds(q: SelectQuery, names: string[], options: ReadsOptions) {
  const ctx = compileContext(options);
  const scope: Scope = {
    ctx,
    tables: [{ kind: 'events', names, alias: 'e' }],
    joins: { owner: false, person: false },
    aliases: new Map(),
    expanding: new Set(),
    inAggregate: false,
    compile: compileExpr,
    subquery: () => {
      throw new Error('no subqueries in a bound');
    },
  };
  const isField = (e: Expr, name: string) =>
    e.kind === 'Field' && e.chain[e.chain.length - 1] === name && (e.chain.length === 1 || names.includes(e.chain[0]!));
  const instant = (e: Expr): number | undefined => {
    try {
      const v = asDateTime(compileExpr(e, scope), scope, e).known?.value;
      return typeof v === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const bounds: { from?: number; to?: number; events?: string[] } = {};
  const narrow = (op: string, v: number | undefined) => {
    if (v === undefined) return;
    if (op === '>' || op === '>=' || op === '==') bounds.from = Math.max(bounds.from ?? v, v);
    if (op === '<' || op === '<=' || op === '==') bounds.to = Math.min(bounds.to ?? v + 1, v + 1);
  };
  for (const c of [...conjuncts(q.prewhere), ...conjuncts(q.where)]) {
    if (c.kind === 'Placeholder' && c.expr.kind === 'Field' && c.expr.chain.join('.') === 'filters') {
      narrow('>=', options.filtersRange?.from);
      if (options.filtersRange?.to !== undefined) narrow('<', options.filtersRange.to);
    } else if (c.kind === 'BetweenExpr' && !c.negated && isField(c.expr, 'timestamp')) {
      narrow('>=', instant(c.low));
      narrow('<=', instant(c.high));
    } else if (c.kind === 'CompareOperation') {
      const [field, value, op] = isField(c.left, 'timestamp')
        ? [c.left, c.right, c.op]
        : isField(c.right, 'timestamp')
          ? [c.right, c.left, FLIP[c.op] ?? '']
          : [undefined, undefined, ''];
      if (field && value) narrow(op, instant(value));
      const names = eventNames(c, isField);
      if (names) bounds.events = bounds.events ? bounds.events.filter((n) => names.includes(n)) : names;
    }
  }
  return bounds;
}

/** `event = 'x'` and `event IN ('x', 'y')`: the event names a conjunct allows. */
function eventNames(c: Expr & { kind: 'CompareOperation' }, isField: (e: Expr, n: string) => boolean) {
  if (!isField(c.left, 'event')) return undefined;
  const text = (e: Expr) => (e.kind === 'Constant' && typeof e.value === 'string' ? e.value : undefined);
  if (c.op === '==') {
    const name = text(c.right);
    return name === undefined ? undefined : [name];
  }
  if (c.op === 'in' && (c.right.kind === 'Tuple' || c.right.kind === 'Array')) {
    const names = c.right.exprs.map(text);
    return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
  }
  return undefined;
}

export function hogqlReads(q: Query, options: ReadsOptions, ctes = new Map<string, Query>()): Reads {
  if (q.kind === 'SelectSetQuery') {
    const members = [q.initial_select_query, ...q.subsequent_select_queries.map((s) => s.select_query)];
    return sum(members.map((m) => hogqlReads(m, options, ctes)));
  }
  const scoped = new Map(ctes);
  for (const cte of q.ctes ?? [])
    if (cte.expr.kind === 'SelectQuery' || cte.expr.kind === 'SelectSetQuery') scoped.set(cte.name, cte.expr);
  const tableReads = (j: JoinExpr): Reads | undefined => {
    const t = j.table;
    if (t.kind === 'SelectQuery' || t.kind === 'SelectSetQuery') return hogqlReads(t, options, scoped);
    if (t.kind !== 'Field' || t.chain.length !== 1) return undefined;
    const name = t.chain[0]!;
    const cte = scoped.get(name);
    if (cte) return hogqlReads(cte, options, new Map([...scoped].filter(([n]) => n !== name)));
    if (!isTableName(name)) return undefined;
    const bounds = name === 'events' ? eventsBounds(q, j.alias ? [j.alias, name] : [name], options) : {};
    return { kind: 'table', table: name, ...bounds, at: t };
  };
  let from: Reads | undefined;
  for (let j = q.select_from; j; j = j.next_join) {
    const reads = tableReads(j);
    if (!reads) continue;
    if (!from) from = reads;
    else {
      const multiplies = j.join_type === 'CROSS JOIN' || !hasEquality(j.constraint?.expr);
      from = { kind: multiplies ? 'product' : 'sum', parts: [from, reads] };
    }
  }
  const exprs = [...q.select, q.prewhere, q.where, q.having, ...(q.group_by ?? []), ...(q.order_by ?? [])];
  const nested = exprs.flatMap((e) => subqueriesIn(e as Expr | undefined)).map((s) => hogqlReads(s, options, scoped));
  for (let j = q.select_from; j; j = j.next_join)
    nested.push(...subqueriesIn(j.constraint?.expr).map((s) => hogqlReads(s, options, scoped)));
  return sum([...(from ? [from] : []), ...nested]);
}
