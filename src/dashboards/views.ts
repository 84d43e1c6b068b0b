/**
 * What the REST API and the web app show of saved insights and dashboards: the stored rows, the
 * dashboards each insight is on and the results through the cache, in PostHog's shapes.
 */
import { projectQueryContext } from '../query/context';
import { QueryError } from '../query/errors';
import { runQuery } from '../query/run';
import { type DashboardRow, tilesOf } from './dashboard-store';
import { checkInsightQuery, type IssueNamer, type QueryIssue } from './insight-query';
import { type InsightRow, tilesOfInsights } from './insight-store';
import type { RefreshMode } from './refresh';
import { effectiveQuery, insightResult, type InsightResultView, noResult, type ResultContext } from './results';
import { dashboardJson, insightJson, queryShown, type TileJson, tileJson } from './shapes';

/** A dashboard's answer stops carrying results past this many bytes; later tiles say so in `error`. */
const MAX_DASHBOARD_RESULT_BYTES = 4 * 1024 * 1024;
/** Tiles calculated at once when a dashboard is refreshed. */
const TILE_CONCURRENCY = 4;

export async function insightView(
  ctx: ResultContext,
  insight: InsightRow,
  mode: RefreshMode,
  dashboard: DashboardRow | null = null,
) {
  const [tiles, result] = await Promise.all([
    tilesOfInsights(ctx.db, ctx.project.id, [insight.id]),
    insightResult(ctx, insight, dashboard, mode),
  ]);
  const query = dashboard ? queryShown(insight, effectiveQuery(insight, dashboard)) : insight.query;
  return insightJson(insight, tiles.get(insight.id) ?? [], result, query);
}

/** A list page: insights with their cached results only (PostHog's list never calculates by default). */
export async function insightListView(ctx: ResultContext, rows: InsightRow[], budgetBytes: number) {
  const tiles = await tilesOfInsights(
    ctx.db,
    ctx.project.id,
    rows.map((r) => r.id),
  );
  const out = [];
  let bytes = 0;
  for (const row of rows) {
    const result = await insightResult(ctx, row, null, 'force_cache');
    const json = insightJson(row, tiles.get(row.id) ?? [], result);
    bytes += JSON.stringify(json).length;
    if (out.length > 0 && bytes > budgetBytes) break;
    out.push(json);
  }
  return out;
}

const errorOf = (error: unknown) =>
  error instanceof QueryError ? { type: error.code, message: error.detail } : undefined;

/** A dashboard with its tiles; each insight tile's result follows `mode` under the dashboard's filters. */
export async function dashboardView(ctx: ResultContext, dashboard: DashboardRow, mode: RefreshMode) {
  const rows = await tilesOf(ctx.db, ctx.project.id, dashboard.id);
  const insightIds = rows.flatMap((r) => (r.insight ? [r.insight.id] : []));
  const insightTiles = await tilesOfInsights(ctx.db, ctx.project.id, insightIds);
  const tiles: TileJson[] = new Array(rows.length);
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const index = next++;
      const { tile, insight } = rows[index]!;
      if (!insight) {
        tiles[index] = tileJson(tile, index, null);
        continue;
      }
      const query = queryShown(insight, effectiveQuery(insight, dashboard));
      let result: InsightResultView | undefined;
      let error: { type: string; message: string } | undefined;
      try {
        result = await insightResult(ctx, insight, dashboard, mode);
      } catch (e) {
        error = errorOf(e);
        if (!error) throw e;
      }
      const size = result ? JSON.stringify(result.result).length : 0;
      if (result && bytes + size > MAX_DASHBOARD_RESULT_BYTES) {
        error = { type: 'too_large', message: 'This dashboard answer is full; open the insight to see its result.' };
        result = undefined;
      }
      bytes += result ? size : 0;
      const json = insightJson(
        insight,
        insightTiles.get(insight.id) ?? [],
        result ?? noResult(ctx.project.timezone),
        query,
      );
      tiles[index] = tileJson(tile, index, json, error);
    }
  };
  await Promise.all(Array.from({ length: TILE_CONCURRENCY }, worker));
  return dashboardJson(dashboard, tiles);
}

/** A query fit to save, with the answer its check computed (none when the run ran out of time). */
export type SaveCheck = { issue: QueryIssue } | { answer: Record<string, unknown> | null };

/**
 * Checks a query before it is saved, as the query endpoint would: its schema, then a run (which
 * refuses what only the compiler sees, such as too many buckets). A run out of time does not
 * block saving: the query is valid, only slow. The run's answer is kept for seedInsightResult.
 */
export async function checkQueryToSave(ctx: ResultContext, query: unknown, deepest: IssueNamer): Promise<SaveCheck> {
  const checked = checkInsightQuery(query, deepest);
  if ('issue' in checked) return checked;
  try {
    return {
      answer: await runQuery(await projectQueryContext(ctx.env, ctx.project, 'replica', ctx.now), checked.source),
    };
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    if (error.status === 400) return { issue: { attr: error.attr ?? 'query', detail: error.detail } };
    return { answer: null };
  }
}
