/**
 * SELECT queries to SQL: FROM (tables of the fixed schema, subqueries, CTEs,
 * joins), WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, UNION ALL. Every table
 * read carries the project filter; SQL names are generated (`e`, `pr1`, `s2`,
 * `c0`), never taken from the query text.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Expr, JoinExpr, SelectQuery, SelectSetQuery } from './ast';
import { compileExpr } from './compile-expr';
import { distinctPersonsPlan } from './compile-person-plan';
import { type CompileContext, MAX_TABLES, type OutputColumn, type Scope, type ScopeTable } from './compile-scope';
import { STAR_FIELDS, isTableName } from './compile-schema';
import { type Compiled, fail } from './compile-types';
import { printExpr } from './print';

interface CompiledSelect {
  sql: SQL;
  columns: OutputColumn[];
}

const JOIN_SQL: Record<string, string> = {
  JOIN: 'JOIN',
  'INNER JOIN': 'JOIN',
  'LEFT JOIN': 'LEFT JOIN',
  'LEFT OUTER JOIN': 'LEFT JOIN',
  'CROSS JOIN': 'CROSS JOIN',
};

interface FromPart {
  table: ScopeTable;
  join?: string;
  on?: Expr;
  sub?: SQL;
}

function newScope(ctx: CompileContext): Scope {
  const scope: Scope = {
    ctx,
    tables: [],
    joins: { owner: false, person: false },
    aliases: new Map(),
    expanding: new Set(),
    inAggregate: false,
    compile: compileExpr,
    subquery: (q) => compileSelectSet(q, ctx),
  };
  return scope;
}

function fromParts(first: JoinExpr, scope: Scope): FromPart[] {
  const parts: FromPart[] = [];
  const ctx = scope.ctx;
  for (let j: JoinExpr | undefined = first; j; j = j.next_join) {
    if (++ctx.tablesUsed > MAX_TABLES) fail(`A query may read at most ${MAX_TABLES} tables and subqueries`, j);
    const join = j.join_type === undefined ? undefined : JOIN_SQL[j.join_type];
    if (j.join_type !== undefined && !join)
      fail(`${j.join_type} is not supported; use JOIN, LEFT JOIN or CROSS JOIN`, j);
    if (j.constraint?.constraint_type === 'USING') fail('JOIN … USING is not supported; use ON', j.constraint);
    if (j.table_args) fail('Table functions are not supported', j);
    const names = j.alias ? [j.alias] : [];
    let part: FromPart;
    if (j.table.kind === 'Field') {
      const chain = j.table.chain;
      const name = chain.length === 1 ? chain[0]! : '';
      const cte = ctx.ctes.get(name);
      if (cte && cte.expr.kind !== 'SelectQuery' && cte.expr.kind !== 'SelectSetQuery')
        fail(`${name} is not a table`, j.table);
      if (cte) {
        const sub = compileSelectSet(cte.expr as SelectQuery, ctx);
        const alias = `s${ctx.aliasCounter++}`;
        part = { table: { kind: 'subquery', names: [...names, name], alias, columns: sub.columns }, sub: sub.sql };
      } else if (isTableName(name)) {
        if (name === 'events' && scope.tables.some((t) => t.kind === 'events'))
          fail('A SELECT can read the events table once; join a subquery instead', j.table);
        const alias = name === 'events' ? 'e' : `${name === 'persons' ? 'pr' : 'g'}${ctx.aliasCounter++}`;
        part = { table: { kind: name, names: [...names, name], alias } };
      } else {
        fail(`Unknown table "${chain.join('.')}": the tables are events, persons and groups`, j.table);
      }
    } else if (j.table.kind === 'Placeholder') {
      fail('A placeholder cannot stand for a table', j.table);
    } else {
      const sub = compileSelectSet(j.table, ctx);
      const alias = `s${ctx.aliasCounter++}`;
      part = { table: { kind: 'subquery', names, alias, columns: sub.columns }, sub: sub.sql };
    }
    part.join = join;
    part.on = j.constraint?.expr;
    if (join && join !== 'CROSS JOIN' && !part.on) fail(`${j.join_type} needs ON`, j);
    scope.tables.push(part.table);
    parts.push(part);
  }
  return parts;
}

const TABLE_SQL = { events: 'events', persons: 'persons', groups: 'groups' } as const;

function fromSql(parts: FromPart[], scope: Scope, ons: (SQL | undefined)[]): { from: SQL; where: SQL[] } {
  const projectId = scope.ctx.projectId;
  const where: SQL[] = [];
  const pieces: SQL[] = [];
  parts.forEach((part, i) => {
    const t = part.table;
    const alias = sql.raw(t.alias);
    let source: SQL;
    if (t.kind === 'subquery') source = sql`(${part.sub!}) AS ${alias}`;
    else if (i === 0) {
      source = sql`${sql.raw(TABLE_SQL[t.kind])} AS ${alias}`;
      where.push(sql`${alias}.project_id = ${projectId}`);
    } else source = sql`(SELECT * FROM ${sql.raw(TABLE_SQL[t.kind])} WHERE project_id = ${projectId}) AS ${alias}`;
    const on = ons[i] ? sql` ON ${ons[i]}` : sql``;
    pieces.push(i === 0 ? source : sql`${sql.raw(part.join!)} ${source}${on}`);
    if (t.kind === 'events' && (scope.joins.owner || scope.joins.person)) {
      pieces.push(
        sql`LEFT JOIN person_distinct_ids m ON m.project_id = e.project_id AND m.distinct_id = e.distinct_id`,
      );
      if (scope.joins.person)
        pieces.push(
          sql`LEFT JOIN persons p ON p.id = COALESCE(m.person_id, e.person_id_at_ingest) AND p.project_id = e.project_id`,
        );
    }
  });
  return { from: sql.join(pieces, sql` `), where };
}

const lastName = (e: Expr) => (e.kind === 'Field' ? String(e.chain[e.chain.length - 1]) : undefined);

function selectItems(q: SelectQuery, scope: Scope): Expr[] {
  const out: Expr[] = [];
  for (const item of q.select) {
    if (item.kind === 'Field' && item.chain[item.chain.length - 1] === '*') {
      const tables =
        item.chain.length === 1 ? scope.tables : scope.tables.filter((t) => t.names.includes(item.chain[0]!));
      if (!tables.length) fail(`No table named ${item.chain[0]}`, item);
      for (const t of tables) {
        const names = t.kind === 'subquery' ? t.columns.map((c) => c.name) : STAR_FIELDS[t.kind];
        for (const name of names)
          out.push({
            kind: 'Field',
            chain: item.chain.length === 1 && tables.length === 1 ? [name] : [t.names[0] ?? name, name],
            start: item.start,
            end: item.end,
          });
      }
    } else out.push(item);
  }
  return out;
}

const positionOf = (e: Expr, count: number): number | undefined => {
  if (e.kind !== 'Constant' || typeof e.value !== 'number') return undefined;
  if (!Number.isInteger(e.value) || e.value < 1 || e.value > count)
    fail(`Position ${e.value} is not a selected column (1 to ${count})`, e);
  return e.value;
};

/** A scope reading only the events table (aliased `e`), with the query's select aliases. */
function eventsScope(q: SelectQuery, ctx: CompileContext, names: string[]): Scope {
  const scope = newScope(ctx);
  scope.tables.push({ kind: 'events', names, alias: 'e' });
  for (const item of q.select) if (item.kind === 'Alias') scope.aliases.set(item.alias, item.expr);
  return scope;
}

export function compileSelect(q: SelectQuery, ctx: CompileContext): CompiledSelect {
  const planned = distinctPersonsPlan(q, ctx, { eventsScope: (names) => eventsScope(q, ctx, names) });
  const body = planned ?? compileSelectAsWritten(q, ctx);
  const clauses = [body.sql];
  const limit = q.limit ? constantInt(q.limit, 'LIMIT', ctx) : undefined;
  const offset = q.offset ? constantInt(q.offset, 'OFFSET', ctx) : undefined;
  if (limit !== undefined || offset !== undefined) clauses.push(sql`LIMIT ${sql.raw(String(limit ?? -1))}`);
  if (offset !== undefined) clauses.push(sql`OFFSET ${sql.raw(String(offset))}`);
  return { sql: sql.join(clauses, sql` `), columns: body.columns };
}

function compileSelectAsWritten(q: SelectQuery, ctx: CompileContext): CompiledSelect {
  const scope = newScope(ctx);
  for (const cte of q.ctes ?? []) {
    if (cte.cte_type === 'subquery') ctx.ctes.set(cte.name, cte);
    else scope.aliases.set(cte.name, cte.expr);
  }
  const parts = q.select_from ? fromParts(q.select_from, scope) : [];
  const items = selectItems(q, scope);
  for (const item of items) if (item.kind === 'Alias') scope.aliases.set(item.alias, item.expr);
  const compiled: Compiled[] = items.map((item) => compileExpr(item, scope));
  const columns: OutputColumn[] = items.map((item, i) => ({
    name: item.kind === 'Alias' ? item.alias : printExpr(item),
    lookup: item.kind === 'Alias' ? undefined : lastName(item),
    column: `c${ctx.columnCounter++}`,
    type: compiled[i]!.type,
    zone: compiled[i]!.zone,
  }));
  const bool = (e: Expr) => compileExpr(e, scope);
  const conditions = [q.prewhere, q.where].filter((e): e is Expr => !!e).map(bool);
  if (conditions.some((c) => c.aggregate)) fail('Aggregates cannot stand in WHERE; use HAVING', q.where ?? q);
  const ons = parts.map((p) => (p.on ? bool(p.on).sql : undefined));
  // A position or a select alias names the result column, so its expression is not written twice.
  const byPosition = (e: Expr): SQL => {
    const n = positionOf(e, items.length);
    if (n) return sql.raw(columns[n - 1]!.column);
    if (e.kind === 'Field' && e.chain.length === 1) {
      const i = items.findIndex((item) => item.kind === 'Alias' && item.alias === e.chain[0]);
      if (i >= 0) return sql.raw(columns[i]!.column);
    }
    return compileExpr(e, scope).sql;
  };
  const groupBy = (q.group_by ?? []).map(byPosition);
  const having = q.having ? bool(q.having).sql : undefined;
  const orderBy = (q.order_by ?? []).map(
    (o) =>
      sql`${byPosition(o.expr)} ${sql.raw(o.order === 'DESC' ? 'DESC' : 'ASC')}${o.nulls ? sql.raw(` NULLS ${o.nulls}`) : sql``}`,
  );
  const { from, where } = fromSql(parts, scope, ons);
  where.push(...conditions.map((c) => c.sql));
  const select = sql.join(
    compiled.map((c, i) => sql`${c.sql} AS ${sql.raw(columns[i]!.column)}`),
    sql`, `,
  );
  const clauses: SQL[] = [sql`SELECT ${sql.raw(q.distinct ? 'DISTINCT ' : '')}${select}`];
  if (parts.length) clauses.push(sql`FROM ${from}`);
  if (where.length) clauses.push(sql`WHERE ${sql.join(where, sql` AND `)}`);
  if (groupBy.length) clauses.push(sql`GROUP BY ${sql.join(groupBy, sql`, `)}`);
  if (having) clauses.push(sql`HAVING ${having}`);
  if (orderBy.length) clauses.push(sql`ORDER BY ${sql.join(orderBy, sql`, `)}`);
  return { sql: sql.join(clauses, sql` `), columns };
}

/** LIMIT and OFFSET: constant non-negative integers (placeholders from `values` included). */
export function constantInt(e: Expr, what: string, ctx: CompileContext): number {
  let value: unknown = e.kind === 'Constant' ? e.value : undefined;
  if (e.kind === 'Placeholder' && e.expr.kind === 'Field') value = ctx.values?.[e.expr.chain.join('.')];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER)
    fail(`${what} must be a non-negative integer`, e);
  return value;
}

export function compileSelectSet(q: SelectQuery | SelectSetQuery, ctx: CompileContext): CompiledSelect {
  if (q.kind === 'SelectQuery') return compileSelect(q, ctx);
  const members = [q.initial_select_query, ...q.subsequent_select_queries.map((s) => s.select_query)].map((m) =>
    compileSelectSet(m, ctx),
  );
  const width = members[0]!.columns.length;
  if (members.some((m) => m.columns.length !== width))
    fail('Every SELECT of a UNION ALL must have the same number of columns', q);
  // SQLite allows no ORDER BY or LIMIT inside a compound member: each member is its own subquery.
  const union = sql.join(
    members.map((m) => sql`SELECT * FROM (${m.sql})`),
    sql` UNION ALL `,
  );
  return { sql: union, columns: members[0]!.columns };
}
