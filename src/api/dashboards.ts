/**
 * Dashboards, as PostHog's `/api/projects/:id/dashboards/` (posthog/api/dashboards/dashboard.py):
 * list, create, get with tiles (each insight's result under the dashboard's filters, `refresh`
 * as for insights), PATCH (name, description, pinned, tags, filters, deleted, and `tiles`:
 * layouts, color, removal, text tiles), DELETE refused (405) as in PostHog, and the share link
 * (`…/sharing/`, PostHog's SharingConfiguration; `…/sharing/refresh/` makes a new token).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import {
  changeSharing,
  changeTiles,
  countTiles,
  createDashboard,
  getDashboard,
  listDashboards,
  MAX_TILES,
  updateDashboard,
} from '../dashboards/dashboard-store';
import { refreshModeOf } from '../dashboards/refresh';
import { dashboardBasicJson, sharingJson } from '../dashboards/shapes';
import { dashboardView } from '../dashboards/views';
import type { AppEnv } from '../env';
import { ApiError, badParameter, notFound } from './errors';
import {
  DASHBOARD_GET_PARAMS,
  DASHBOARD_LIST_PARAMS,
  DashboardCreateSchema,
  DashboardFieldsSchema,
  SharingSchema,
} from './saved-schemas';
import { checked, jsonBody, offsetPage, pageParams, positiveId, queryParams, resultContext } from './saved-scope';

const BOOL = z.enum(['true', 'false']).transform((v) => v === 'true');
const ListParams = z.object({ search: z.string().max(200).optional(), pinned: BOOL.optional() });

export const dashboardRoutes = new Hono<AppEnv>({ strict: false });

for (const prefix of ['projects', 'environments'] as const) {
  const base = `/${prefix}/:project_id/dashboards`;

  async function dashboardOf(c: Parameters<typeof resultContext>[0], includeDeleted = false) {
    const ctx = await resultContext(c);
    const dashboard = await getDashboard(
      ctx.db,
      ctx.project.id,
      positiveId(c.req.param('dashboard_id'), 'dashboard_id'),
      includeDeleted,
    );
    if (!dashboard) throw notFound('Dashboard');
    return { ctx, dashboard };
  }

  dashboardRoutes.get(base, async (c) => {
    const params = queryParams(c, Object.keys(DASHBOARD_LIST_PARAMS));
    const { limit, offset } = pageParams(params, 100);
    const q = checked(ListParams, { search: params.search, pinned: params.pinned }, 'query');
    const ctx = await resultContext(c);
    const { rows, count } = await listDashboards(ctx.db, ctx.project.id, q, limit, offset);
    return c.json(
      offsetPage(
        c.req.url,
        rows.map((row) => dashboardBasicJson(row)),
        count,
        limit,
        offset,
      ),
    );
  });

  dashboardRoutes.post(base, async (c) => {
    const body = await jsonBody(c, DashboardCreateSchema);
    const ctx = await resultContext(c);
    const row = await createDashboard(ctx.db, ctx.project.id, body);
    return c.json(await dashboardView(ctx, row, 'force_cache'), 201);
  });

  dashboardRoutes.get(`${base}/:dashboard_id`, async (c) => {
    const params = queryParams(c, Object.keys(DASHBOARD_GET_PARAMS));
    const mode = refreshModeOf(params.refresh);
    if (typeof mode === 'object') throw badParameter('refresh', mode.invalid);
    const { ctx, dashboard } = await dashboardOf(c);
    return c.json(await dashboardView(ctx, dashboard, mode));
  });

  dashboardRoutes.patch(`${base}/:dashboard_id`, async (c) => {
    const body = await jsonBody(c, DashboardFieldsSchema);
    // A dashboard can be un-deleted by PATCHing {"deleted": false}, as in PostHog.
    const { ctx, dashboard } = await dashboardOf(c, body.deleted === false);
    const { tiles, ...fields } = body;
    if (tiles) {
      const added = tiles.filter((t) => t.id === undefined).length;
      if (tiles.some((t) => t.id === undefined && !t.text))
        throw badParameter('tiles', 'tiles: a tile without an id must be a text tile ({"text": {"body": …}}).');
      if (added > 0 && (await countTiles(ctx.db, ctx.project.id, dashboard.id)) + added > MAX_TILES)
        throw badParameter('tiles', `tiles: a dashboard holds at most ${MAX_TILES} tiles.`);
      await changeTiles(ctx.db, ctx.project.id, dashboard.id, tiles);
    }
    await updateDashboard(ctx.db, ctx.project.id, dashboard.id, fields);
    const updated = (await getDashboard(ctx.db, ctx.project.id, dashboard.id, true))!;
    return c.json(await dashboardView(ctx, updated, 'force_cache'));
  });

  dashboardRoutes.delete(`${base}/:dashboard_id`, () => {
    throw new ApiError(405, {
      type: 'invalid_request',
      code: 'method_not_allowed',
      detail: 'Hard delete of this model is not allowed. Use a patch API call to set "deleted" to true',
    });
  });

  dashboardRoutes.get(`${base}/:dashboard_id/sharing`, async (c) => {
    queryParams(c, []);
    const { dashboard } = await dashboardOf(c);
    return c.json(sharingJson(dashboard));
  });

  dashboardRoutes.patch(`${base}/:dashboard_id/sharing`, async (c) => {
    const body = await jsonBody(c, SharingSchema);
    const { ctx, dashboard } = await dashboardOf(c);
    return c.json(sharingJson(await changeSharing(ctx.db, dashboard, body)));
  });

  dashboardRoutes.post(`${base}/:dashboard_id/sharing/refresh`, async (c) => {
    await jsonBody(c, z.strictObject({}));
    const { ctx, dashboard } = await dashboardOf(c);
    return c.json(sharingJson(await changeSharing(ctx.db, dashboard, { rotate: true })));
  });
}
