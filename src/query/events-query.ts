/**
 * EventsQuery: rows of events (or of groups of them, when `select` holds an
 * aggregate) with columns from a fixed vocabulary — never HogQL text — so
 * every column, filter and ordering compiles to known SQL.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { parsePoint } from './date-range';
import { QueryError } from './errors';
import { hogqlWhereSql } from './hogql-where';
import { PROPERTY_SOURCES, propertiesSql, propertyText } from './filters';
import type { Needs } from './types';
import type { EventsQueryInput } from './schema';
import { regexResolver } from './regex-values';
import { QUERY_BUDGET, budgetOf, tooExpensive } from './budget';
import { type EventsStatement, type OrderTerm, runSlicedEvents } from './events-query-slices';
import { type EventScope, PERSON_ID, eventsFrom, run, scopeSql } from './source';
import { zonedIso } from './time';

const DATETIME = "DateTime64(6, 'UTC')";
const STAR_TYPE = `Tuple(UUID, String, String, ${DATETIME}, Int64, String, String, ${DATETIME}, UUID)`;

interface Column {
  sql: SQL;
  type: string;
  aggregate: boolean;
  /** How an aggregate's values over slices merge (events-query-slices.ts). */
  merge?: 'count' | 'min' | 'max';
  /** Turns the SQL value into the answer's value. */
  read: (v: unknown) => unknown;
}

function columnOf(expr: string, attr: string, needs: Needs, ctx: QueryContext): Column {
  const asTime = (v: unknown) => (typeof v === 'string' ? zonedIso(Date.parse(v), ctx.timezone, true) : v);
  const plain = (v: unknown) => v;
  switch (expr) {
    case '*':
      return {
        sql: sql`json_array(e.uuid, e.event, e.properties, e.timestamp, e.project_id, e.distinct_id, ${PERSON_ID})`,
        type: STAR_TYPE,
        aggregate: false,
        read: (v) => {
          const [uuid, event, properties, timestamp, teamId, distinctId, personId] = JSON.parse(String(v)) as [
            string,
            string,
            string,
            string,
            number,
            string,
            string,
          ];
          return {
            uuid,
            event,
            properties: JSON.parse(properties) as unknown,
            timestamp: asTime(timestamp),
            team_id: teamId,
            distinct_id: distinctId,
            elements_chain: '',
            created_at: asTime(timestamp),
            person_id: personId,
          };
        },
      };
    case 'event':
      return { sql: sql`e.event`, type: 'String', aggregate: false, read: plain };
    case 'uuid':
      return { sql: sql`e.uuid`, type: 'UUID', aggregate: false, read: plain };
    case 'timestamp':
      return { sql: sql`e.timestamp`, type: DATETIME, aggregate: false, read: asTime };
    case 'distinct_id':
      return { sql: sql`e.distinct_id`, type: 'String', aggregate: false, read: plain };
    case 'person_id':
      return { sql: PERSON_ID, type: 'UUID', aggregate: false, read: plain };
    case 'count()':
      return { sql: sql`count(*)`, type: 'UInt64', aggregate: true, merge: 'count', read: plain };
    case 'min(timestamp)':
      return { sql: sql`e.timestamp`, type: DATETIME, aggregate: true, merge: 'min', read: asTime };
    case 'max(timestamp)':
      return { sql: sql`e.timestamp`, type: DATETIME, aggregate: true, merge: 'max', read: asTime };
  }
  const person = /^person\.properties\.(.+)$/s.exec(expr);
  if (person) {
    PROPERTY_SOURCES.person!.require(needs);
    return {
      sql: propertyText(PROPERTY_SOURCES.person!.column, person[1]!),
      type: 'Nullable(String)',
      aggregate: false,
      read: plain,
    };
  }
  const event = /^properties\.(.+)$/s.exec(expr);
  if (event)
    return {
      sql: propertyText(PROPERTY_SOURCES.event!.column, event[1]!),
      type: 'Nullable(String)',
      aggregate: false,
      read: plain,
    };
  throw QueryError.badField(attr, `${attr}: ${JSON.stringify(expr.slice(0, 100))} is not a supported column.`);
}

const ORDER = /^(.*?)(?:\s+(ASC|DESC))?$/is;

function instantOf(value: string | null | undefined, attr: string, ctx: QueryContext): number | undefined {
  if (value === undefined || value === null || value === 'all') return undefined;
  return parsePoint(value, attr, ctx.timezone, ctx.now).instant;
}

const DEFAULT_EVENTS_LIMIT = 100;

export async function runEventsQuery(ctx: QueryContext, query: EventsQueryInput): Promise<Record<string, unknown>> {
  const needs: Needs = { person: false };
  const columns = query.select.map((expr, i) => columnOf(expr, `query.select.${i}`, needs, ctx));
  const aggregated = columns.some((c) => c.aggregate);
  if (aggregated && query.select.includes('*')) {
    throw QueryError.badField(
      `query.select.${query.select.indexOf('*')}`,
      'query.select: "*" cannot be combined with count(), min() or max().',
    );
  }
  const after = instantOf(query.after ?? '-24h', 'query.after', ctx);
  const before = instantOf(query.before, 'query.before', ctx);
  const scope = {
    projectId: ctx.projectId,
    from: after === undefined ? undefined : after + 1,
    to: before,
    event: query.event,
    // PostHog's `events`: any of these names; an empty list does not filter.
    events: query.events?.length ? [...new Set(query.events)] : undefined,
  };
  const regex = regexResolver(ctx.db, scope);
  const conditions: SQL[] = [
    await propertiesSql(query.properties, 'query.properties', needs, regex),
    await propertiesSql(query.fixedProperties, 'query.fixedProperties', needs, regex),
  ];
  if (query.personId) conditions.push(sql`${PERSON_ID} = ${query.personId.toLowerCase()}`);
  conditions.push(...hogqlWhereSql(ctx, query.where, needs));

  const order: OrderTerm[] = (query.orderBy ?? (aggregated ? [] : ['timestamp DESC'])).map((entry, i) => {
    const [, expr, direction] = ORDER.exec(entry.trim())!;
    const column = columnOf(expr!.trim(), `query.orderBy.${i}`, needs, ctx);
    if (expr!.trim() === '*')
      throw QueryError.badField(`query.orderBy.${i}`, `query.orderBy.${i}: cannot order by "*".`);
    if (!aggregated && column.aggregate) {
      throw QueryError.badField(`query.orderBy.${i}`, `query.orderBy.${i}: order by an aggregate needs it in select.`);
    }
    if (aggregated && !column.aggregate && !query.select.includes(expr!.trim())) {
      throw QueryError.badField(
        `query.orderBy.${i}`,
        `query.orderBy.${i}: order by a selected column or an aggregate.`,
      );
    }
    return { sql: column.sql, desc: direction?.toUpperCase() === 'DESC', merge: column.merge };
  });
  if (aggregated && order.length === 0) {
    const first = columns.find((c) => c.aggregate)!;
    order.push({ sql: first.sql, desc: true, merge: first.merge });
  }
  const limit = query.limit ?? DEFAULT_EVENTS_LIMIT;
  const offset = query.offset ?? 0;
  // Ordered by time first: slices are read in that order and the read stops early.
  const first = (query.orderBy ?? (aggregated ? [] : ['timestamp DESC']))[0];
  const byTime =
    !aggregated && first !== undefined && /^timestamp$/i.test(ORDER.exec(first.trim())![1]!.trim())
      ? order[0]!.desc
        ? 'desc'
        : 'asc'
      : null;
  const filtered =
    Boolean(query.personId || query.where?.length) ||
    [query.properties, query.fixedProperties].some((p) => p && Object.keys(p).length);
  const limits = budgetOf(ctx.db)?.limits ?? QUERY_BUDGET;
  let rows: unknown[][];
  if (byTime && !filtered && offset <= limits.countedRows && limit < limits.statementRows) {
    // A listing in time order walks at most offset index entries and reads limit + 1 rows: one statement.
    rows = await listing(ctx, scope, needs, columns, order, limit, offset);
  } else {
    if (offset + limit > MAX_SLICED_ROWS) {
      throw tooExpensive(
        `This events query reads its range in slices and keeps its first offset + limit rows, at most ${MAX_SLICED_ROWS}; ` +
          'narrow the range with after/before instead of paging this deep.',
        'query.offset',
      );
    }
    const statement: EventsStatement = {
      scope,
      needs,
      conditions,
      columns,
      order,
      aggregated,
      wanted: offset + limit + 1,
      byTime,
    };
    rows = (await runSlicedEvents(ctx, statement)).slice(offset);
  }
  return {
    columns: query.select,
    types: columns.map((c) => c.type),
    results: rows.slice(0, limit).map((r) => columns.map((c, i) => c.read(r[i]))),
    hasMore: rows.length > limit,
    limit,
    offset,
  };
}

/** Rows an events query that reads its range in slices keeps at most (offset + limit): PostHog's HogQL row cap. */
const MAX_SLICED_ROWS = 50_000;

/** The time-ordered listing without filters: newest (or oldest) first along the index, as one statement. */
async function listing(
  ctx: QueryContext,
  scope: EventScope,
  needs: Needs,
  columns: Column[],
  order: OrderTerm[],
  limit: number,
  offset: number,
): Promise<unknown[][]> {
  const rows = await run<Record<string, unknown>>(
    ctx.db,
    sql`SELECT ${sql.join(
      columns.map((c, i) => sql`${c.sql} AS ${sql.raw(`c${i}`)}`),
      sql`, `,
    )}
    FROM ${eventsFrom(needs)} WHERE ${scopeSql(scope)}
    ORDER BY ${sql.join(
      [...order.map((o) => sql`${o.sql} ${sql.raw(o.desc ? 'DESC' : 'ASC')}`), sql`e.uuid DESC`],
      sql`, `,
    )} LIMIT ${limit + 1} OFFSET ${offset}`,
  );
  return rows.map((r) => columns.map((_, i) => r[`c${i}`]));
}
