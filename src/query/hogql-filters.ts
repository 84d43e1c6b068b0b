/**
 * What `{filters}` stands for in a HogQLQuery, as PostHog's replace_filters
 * builds it: `timestamp >= date_from` and `timestamp < date_to` (each as given,
 * relative forms from now, dates at midnight in the project's time zone; `all`
 * or absent puts no bound), and the property filters through the same code
 * as every other query kind. `filterTestAccounts` adds the project's test
 * account filters, of which this service keeps none.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { FiltersSql } from '../hogql/compile-scope';
import type { QueryContext } from './context';
import { parsePoint } from './date-range';
import { propertiesSql } from './filters';
import type { HogQLQueryInput } from './schema';
import { regexResolver } from './regex-values';
import { isoOf } from './time';
import type { Needs } from './types';

export async function hogqlFilters(ctx: QueryContext, query: HogQLQueryInput): Promise<FiltersSql | undefined> {
  const filters = query.filters;
  if (!filters) return undefined;
  const attr = 'query.filters';
  const point = (value: string | null | undefined, at: string) =>
    value === undefined || value === null || value === 'all'
      ? undefined
      : parsePoint(value, at, ctx.timezone, ctx.now).instant;
  const from = point(filters.dateRange?.date_from, `${attr}.dateRange.date_from`);
  const to = point(filters.dateRange?.date_to, `${attr}.dateRange.date_to`);
  const parts: SQL[] = [];
  if (from !== undefined) parts.push(sql`e.timestamp >= ${isoOf(from)}`);
  if (to !== undefined) parts.push(sql`e.timestamp < ${isoOf(to)}`);
  const needs: Needs = { person: false };
  const regex = regexResolver(ctx.db, { projectId: ctx.projectId, from, to });
  if (filters.properties) parts.push(await propertiesSql(filters.properties, `${attr}.properties`, needs, regex));
  return { sql: parts.length ? sql`(${sql.join(parts, sql` AND `)})` : sql`1`, person: needs.person };
}
