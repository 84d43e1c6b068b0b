/**
 * An insight's result through the cache: per insight alone and per dashboard it is shown on,
 * keyed by a hash of the query that runs (the insight's query with the dashboard's filters, and
 * the project's time zone), so a changed insight or dashboard filter never serves an old result.
 * `refresh` decides between the cache and a calculation as PostHog's ExecutionMode does.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import type { Project } from '../db/projects';
import { insightResults } from '../db/schema';
import type { Env } from '../env';
import { projectQueryContext } from '../query/context';
import { QueryError } from '../query/errors';
import { runQuery } from '../query/run';
import { AnyQuery } from '../query/schema';
import { applyDashboardFilters, type DashboardFilters, hasFilters } from './dashboard-filters';
import type { DashboardRow } from './dashboard-store';
import type { InsightRow } from './insight-store';
import { insightSourceOf } from './insight-query';
import { intervalOf, planRefresh, type RefreshMode, staleAt } from './refresh';

/** A result larger than this is recalculated each time rather than stored (D1 rows stay small). */
const MAX_CACHED_BYTES = 256 * 1024;

export interface ResultContext {
  env: Env;
  project: Project;
  db: Db;
  now: number;
  /** Work to finish after the answer (the async refresh modes). */
  waitUntil: (work: Promise<unknown>) => void;
}

/** The result fields of PostHog's insight serializer. */
export interface InsightResultView {
  result: unknown;
  hasMore: boolean | null;
  columns: unknown[] | null;
  types: unknown[] | null;
  last_refresh: string | null;
  is_cached: boolean;
  cache_target_age: string | null;
  next_allowed_client_refresh: string | null;
  timezone: string;
  query_status: null;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The source query that runs for this insight on this dashboard (its filters applied). */
export function effectiveQuery(insight: InsightRow, dashboard: DashboardRow | null): Record<string, unknown> {
  const source = insightSourceOf(insight.query);
  const filters = (dashboard?.filters ?? {}) as DashboardFilters;
  return dashboard && hasFilters(filters) ? applyDashboardFilters(source, filters) : source;
}

function view(
  response: Record<string, unknown>,
  cached: boolean,
  timezone: string,
  interval: string,
): InsightResultView {
  const lastRefresh = String(response.last_refresh);
  const at = Date.parse(lastRefresh);
  return {
    result: response.results ?? null,
    hasMore: (response.hasMore as boolean | undefined) ?? null,
    columns: (response.columns as unknown[] | undefined) ?? null,
    types: (response.types as unknown[] | undefined) ?? null,
    last_refresh: lastRefresh,
    is_cached: cached,
    cache_target_age: new Date(staleAt(at, interval)).toISOString(),
    next_allowed_client_refresh: lastRefresh,
    timezone,
    query_status: null,
  };
}

/** No result yet (nothing cached and not calculated). */
export const noResult = (timezone: string): InsightResultView => ({
  result: null,
  hasMore: null,
  columns: null,
  types: null,
  last_refresh: null,
  is_cached: false,
  cache_target_age: null,
  next_allowed_client_refresh: null,
  timezone,
  query_status: null,
});

interface CacheKey {
  insightId: number;
  dashboardId: number;
  hash: string;
}

/** The query that runs for the insight on `dashboard` (or alone), and its cache row's key. */
async function cacheKeyOf(ctx: ResultContext, insight: InsightRow, dashboard: DashboardRow | null) {
  const query = effectiveQuery(insight, dashboard);
  const key: CacheKey = {
    insightId: insight.id,
    dashboardId: dashboard?.id ?? 0,
    hash: await sha256Hex(JSON.stringify({ query, timezone: ctx.project.timezone })),
  };
  return { query, key };
}

/** Runs the query (as the query endpoint does) and stores the answer; throws QueryError for a refused query. */
async function calculate(
  ctx: ResultContext,
  key: CacheKey,
  query: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const parsed = AnyQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const attr = ['query', ...(issue?.path ?? [])].join('.');
    throw QueryError.badField(attr, `${attr}: ${issue?.message ?? 'invalid'} (with the dashboard's filters applied)`);
  }
  const response = await runQuery(await projectQueryContext(ctx.env, ctx.project, 'replica', ctx.now), parsed.data);
  await store(ctx, key, response);
  return response;
}

/**
 * Keeps the answer that saving the insight computed (checkQueryToSave runs its query) as the
 * insight's own cached result, so the first read serves it instead of running the query again.
 */
export async function seedInsightResult(ctx: ResultContext, insight: InsightRow, response: Record<string, unknown>) {
  const { key } = await cacheKeyOf(ctx, insight, null);
  await store(ctx, key, response);
}

async function store(ctx: ResultContext, key: CacheKey, response: Record<string, unknown>) {
  const json = JSON.stringify(response);
  if (json.length <= MAX_CACHED_BYTES) {
    const row = {
      projectId: ctx.project.id,
      insightId: key.insightId,
      dashboardId: key.dashboardId,
      queryHash: key.hash,
      response: json,
      lastRefresh: String(response.last_refresh),
    };
    await ctx.db
      .insert(insightResults)
      .values(row)
      .onConflictDoUpdate({
        target: [insightResults.projectId, insightResults.insightId, insightResults.dashboardId],
        set: { queryHash: row.queryHash, response: row.response, lastRefresh: row.lastRefresh },
      });
  }
}

/** The insight's result on `dashboard` (or alone), from the cache or calculated, as `mode` asks. */
export async function insightResult(
  ctx: ResultContext,
  insight: InsightRow,
  dashboard: DashboardRow | null,
  mode: RefreshMode,
): Promise<InsightResultView> {
  const { query, key } = await cacheKeyOf(ctx, insight, dashboard);
  const interval = intervalOf(query);
  const row = await ctx.db
    .select()
    .from(insightResults)
    .where(
      and(
        eq(insightResults.projectId, ctx.project.id),
        eq(insightResults.insightId, key.insightId),
        eq(insightResults.dashboardId, key.dashboardId),
      ),
    )
    .get();
  const cached = row && row.queryHash === key.hash ? row : undefined;
  const plan = planRefresh(mode, cached ? Date.parse(cached.lastRefresh) : undefined, interval, ctx.now);
  if (plan === 'calculate') return view(await calculate(ctx, key, query), false, ctx.project.timezone, interval);
  if (plan === 'serve_cache_and_calculate_after')
    ctx.waitUntil(calculate(ctx, key, query).catch((error) => console.error('insight refresh failed', String(error))));
  return cached
    ? view(JSON.parse(cached.response), true, ctx.project.timezone, interval)
    : noResult(ctx.project.timezone);
}
