/**
 * Saved insights, as PostHog's `/api/projects/:id/insights/` (posthog/api/insight.py): list with
 * search/saved/favorited/short_id and limit/offset, create, get with `refresh`, PATCH (also
 * `deleted: true`, the soft delete, and `dashboards`, which adds and removes tiles), and DELETE
 * refused as PostHog refuses it (405).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { countTiles, getDashboard, MAX_TILES } from '../dashboards/dashboard-store';
import {
  createInsight,
  getInsight,
  listInsights,
  setInsightDashboards,
  tilesOfInsights,
  updateInsight,
} from '../dashboards/insight-store';
import { refreshModeOf } from '../dashboards/refresh';
import { type ResultContext, seedInsightResult } from '../dashboards/results';
import { checkQueryToSave, insightListView, insightView } from '../dashboards/views';
import type { AppEnv } from '../env';
import { QueryError } from '../query/errors';
import { ApiError, badParameter, notFound } from './errors';
import { deepestIssue } from './query';
import { unwrapQuery } from './query-wrappers';
import { INSIGHT_GET_PARAMS, INSIGHT_LIST_PARAMS, InsightCreateSchema, InsightFieldsSchema } from './saved-schemas';
import {
  checked,
  jsonBody,
  offsetPage,
  pageParams,
  positiveId,
  queryApiError,
  queryParams,
  resultContext,
} from './saved-scope';

/** A list answer stops adding insights past this many bytes; `next` continues from there. */
const LIST_BUDGET_BYTES = 4 * 1024 * 1024;
const ORDERS = ['id', '-last_modified_at', 'last_modified_at', '-created_at', 'created_at', 'name'] as const;
const BOOL = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const ListParams = z.object({
  search: z.string().max(200).optional(),
  saved: BOOL.optional(),
  favorited: BOOL.optional(),
  short_id: z.string().max(20).optional(),
  order: z.enum(ORDERS).optional(),
  dashboards: z
    .string()
    .max(400)
    .transform((text, ctx) => {
      try {
        const ids = z.array(z.number().int().positive()).max(10).parse(JSON.parse(text));
        return ids;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON list of dashboard ids, such as [1, 2]' });
        return z.NEVER;
      }
    })
    .optional(),
  refresh: z.enum(['force_cache', 'false']).optional(),
});

/**
 * The query endpoint's checks, in its order: the wrapper's own fields, then the source (schema
 * and compiler). The answer of the check's run, to seed the insight's cache with.
 */
async function saveQueryOrRefuse(ctx: ResultContext, query: unknown) {
  const unwrapped = unwrapQuery(query);
  if (!unwrapped.ok) throw badParameter(unwrapped.attr, unwrapped.detail);
  const check = await checkQueryToSave(ctx, query, deepestIssue);
  if ('issue' in check) throw badParameter(check.issue.attr, check.issue.detail);
  return check.answer;
}

/** Every dashboard exists and has room for one more tile (unless the insight is on it already). */
async function checkDashboards(ctx: ResultContext, ids: number[], insightId?: number) {
  const current = insightId ? ((await tilesOfInsights(ctx.db, ctx.project.id, [insightId])).get(insightId) ?? []) : [];
  for (const id of ids) {
    if (!(await getDashboard(ctx.db, ctx.project.id, id)))
      throw badParameter('dashboards', `dashboards: dashboard ${id} not found.`);
    if (!current.some((t) => t.dashboard_id === id) && (await countTiles(ctx.db, ctx.project.id, id)) >= MAX_TILES)
      throw badParameter('dashboards', `dashboards: dashboard ${id} already holds ${MAX_TILES} tiles.`);
  }
}

function fieldsOf(body: z.infer<typeof InsightFieldsSchema>) {
  const { dashboards: _dashboards, filters: _filters, description, ...rest } = body;
  return { ...rest, ...(description !== undefined ? { description: description ?? '' } : {}) };
}

export const insightRoutes = new Hono<AppEnv>({ strict: false });

for (const prefix of ['projects', 'environments'] as const) {
  const base = `/${prefix}/:project_id/insights`;

  insightRoutes.get(base, async (c) => {
    const params = queryParams(c, Object.keys(INSIGHT_LIST_PARAMS));
    const { limit, offset } = pageParams(params, 100);
    const { basic: _basic, limit: _l, offset: _o, ...rest } = params;
    const q = checked(ListParams, rest, 'query');
    const ctx = await resultContext(c);
    const filter = { ...q, shortId: q.short_id, order: q.order ?? '-last_modified_at' };
    const { rows, count } = await listInsights(ctx.db, ctx.project.id, filter, limit, offset);
    const results = await insightListView(ctx, rows, LIST_BUDGET_BYTES);
    return c.json(offsetPage(c.req.url, results, count, limit, offset));
  });

  insightRoutes.post(base, async (c) => {
    const body = await jsonBody(c, InsightCreateSchema);
    const ctx = await resultContext(c);
    const answer = await saveQueryOrRefuse(ctx, body.query);
    if (body.dashboards) await checkDashboards(ctx, body.dashboards);
    const row = await createInsight(ctx.db, ctx.project.id, { ...fieldsOf(body), query: body.query });
    if (answer) await seedInsightResult(ctx, row, answer);
    if (body.dashboards) await setInsightDashboards(ctx.db, ctx.project.id, row.id, body.dashboards);
    return c.json(await insightView(ctx, row, 'force_cache'), 201);
  });

  insightRoutes.get(`${base}/:insight_id`, async (c) => {
    const params = queryParams(c, Object.keys(INSIGHT_GET_PARAMS));
    const mode = refreshModeOf(params.refresh);
    if (typeof mode === 'object') throw badParameter('refresh', mode.invalid);
    const ctx = await resultContext(c);
    const insight = await getInsight(ctx.db, ctx.project.id, positiveId(c.req.param('insight_id'), 'insight_id'));
    if (!insight) throw notFound('Insight');
    const dashboard =
      params.from_dashboard === undefined
        ? null
        : ((await getDashboard(ctx.db, ctx.project.id, positiveId(params.from_dashboard, 'from_dashboard'))) ?? null);
    try {
      return c.json(await insightView(ctx, insight, mode, dashboard));
    } catch (error) {
      if (error instanceof QueryError) throw queryApiError(error);
      throw error;
    }
  });

  insightRoutes.patch(`${base}/:insight_id`, async (c) => {
    const body = await jsonBody(c, InsightFieldsSchema);
    const ctx = await resultContext(c);
    const id = positiveId(c.req.param('insight_id'), 'insight_id');
    // An insight can be un-deleted by PATCHing {"deleted": false}, as in PostHog.
    const insight = await getInsight(ctx.db, ctx.project.id, id, body.deleted === false);
    if (!insight) throw notFound('Insight');
    const answer = body.query === undefined ? null : await saveQueryOrRefuse(ctx, body.query);
    if (body.dashboards && !body.deleted) {
      await checkDashboards(ctx, body.dashboards, id);
      await setInsightDashboards(ctx.db, ctx.project.id, id, body.dashboards);
    }
    await updateInsight(ctx.db, ctx.project.id, id, fieldsOf(body));
    const updated = (await getInsight(ctx.db, ctx.project.id, id, true))!;
    if (answer && !updated.deleted) await seedInsightResult(ctx, updated, answer);
    return c.json(await insightView(ctx, updated, 'force_cache'));
  });

  insightRoutes.delete(`${base}/:insight_id`, () => {
    throw new ApiError(405, {
      type: 'invalid_request',
      code: 'method_not_allowed',
      detail: 'Hard delete of this model is not allowed. Use a patch API call to set "deleted" to true',
    });
  });
}
