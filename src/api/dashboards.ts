/**
 * Dashboards, as PostHog's `/api/projects/:id/dashboards/` (posthog/api/dashboards/dashboard.py):
 * list, create, get with tiles (each insight's result under the dashboard's filters, `refresh`
 * as for insights), PATCH (name, description, pinned, tags, filters, deleted, and `tiles`:
 * layouts, color, removal, text tiles), DELETE refused (405) as in PostHog, and the share link
 * (`…/sharing/`, PostHog's SharingConfiguration; `…/sharing/refresh/` makes a new token).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { DashboardFiltersSchema } from '../dashboards/dashboard-filters';
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
import { checked, jsonBody, offsetPage, pageParams, positiveId, queryParams, resultContext, Tags } from './saved-scope';

const Cell = z.number().int().min(0).max(1000);
const Layout = z.strictObject({
  x: Cell,
  y: Cell,
  w: Cell,
  h: Cell,
  minW: Cell.optional(),
  minH: Cell.optional(),
  maxW: Cell.optional(),
  maxH: Cell.optional(),
  i: z.string().max(40).optional(),
  moved: z.boolean().optional(),
  static: z.boolean().optional(),
});
const Layouts = z.partialRecord(z.enum(['sm', 'xs']), Layout);
const TileChangeSchema = z.strictObject({
  id: z.number().int().positive().optional(),
  layouts: Layouts.optional(),
  color: z.string().max(40).nullable().optional(),
  deleted: z.boolean().optional(),
  text: z.strictObject({ id: z.number().int().positive().optional(), body: z.string().max(4000) }).optional(),
});

const DashboardFieldsSchema = z.strictObject({
  name: z.string().min(1).max(400).optional(),
  description: z.string().max(4000).optional(),
  pinned: z.boolean().optional(),
  tags: Tags.optional(),
  filters: DashboardFiltersSchema.optional(),
  deleted: z.boolean().optional(),
  tiles: z.array(TileChangeSchema).max(MAX_TILES).optional(),
});
const CreateSchema = DashboardFieldsSchema.omit({ tiles: true, deleted: true }).extend({
  name: z.string().max(400).default('New Dashboard'),
});
const SharingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  settings: z
    .strictObject({
      allowEmbedding: z.boolean().optional().describe('The shared page may be shown in an <iframe> on any site.'),
      showPersonIds: z.boolean().optional().describe('Event tiles show person and distinct ids.'),
    })
    .optional(),
});
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
    const params = queryParams(c, ['limit', 'offset', 'search', 'pinned']);
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
    const body = await jsonBody(c, CreateSchema);
    const ctx = await resultContext(c);
    const row = await createDashboard(ctx.db, ctx.project.id, body);
    return c.json(await dashboardView(ctx, row, 'force_cache'), 201);
  });

  dashboardRoutes.get(`${base}/:dashboard_id`, async (c) => {
    const params = queryParams(c, ['refresh']);
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
