/** The dashboard page's forms: filters, tiles (add, move, resize, remove), text, sharing, delete. */
import { z } from 'zod';
import {
  changeSharing,
  changeTiles,
  countTiles,
  getDashboard,
  MAX_TILES,
  tilesOf,
  updateDashboard,
} from '../../../dashboards/dashboard-store';
import { getInsight, setInsightDashboards, tilesOfInsights } from '../../../dashboards/insight-store';
import { appUrl, type WebContext } from '../../context';
import { issuesText } from '../../issues';
import { notFoundPage } from '../../render';
import { dashboardPage } from './dashboard';
import { dashboardPath } from './paths';
import { filtersOfForm } from './filter-form';
import { changeGrid, GRID_CHANGES, inReadingOrder, moveOnto } from './grid';
import { idOf, webResultContext } from './web-results';

async function scope(c: WebContext) {
  const ctx = await webResultContext(c);
  const id = idOf(c.req.param('dashboard_id'));
  const dashboard = id ? await getDashboard(ctx.db, ctx.project.id, id) : undefined;
  const back = () => c.redirect(appUrl(c, dashboardPath(ctx.project.id, dashboard!.id)), 303);
  return { ctx, dashboard, back };
}

const form = async (c: WebContext) => (await c.req.parseBody()) as Record<string, unknown>;

export async function filtersAction(c: WebContext) {
  const { ctx, dashboard, back } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const result = filtersOfForm(await form(c));
  if ('error' in result) return dashboardPage(c, issuesText(result.error, 'filters'), 400);
  await updateDashboard(ctx.db, ctx.project.id, dashboard.id, { filters: result.filters });
  return back();
}

export async function addInsightAction(c: WebContext) {
  const { ctx, dashboard, back } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const insightId = idOf((await form(c)).insight_id);
  const insight = insightId ? await getInsight(ctx.db, ctx.project.id, insightId) : undefined;
  if (!insight) return dashboardPage(c, 'Choose a saved insight to add.', 400);
  if ((await countTiles(ctx.db, ctx.project.id, dashboard.id)) >= MAX_TILES)
    return dashboardPage(c, `A dashboard holds at most ${MAX_TILES} tiles.`, 400);
  const current = (await tilesOfInsights(ctx.db, ctx.project.id, [insight.id])).get(insight.id) ?? [];
  const ids = [...new Set([...current.map((t) => t.dashboard_id), dashboard.id])];
  await setInsightDashboards(ctx.db, ctx.project.id, insight.id, ids);
  return back();
}

const TextForm = z.object({ body: z.string().trim().min(1, 'write some text').max(4000) });

export async function addTextAction(c: WebContext) {
  const { ctx, dashboard, back } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const parsed = TextForm.safeParse(await form(c));
  if (!parsed.success) return dashboardPage(c, issuesText(parsed.error, 'text'), 400);
  if ((await countTiles(ctx.db, ctx.project.id, dashboard.id)) >= MAX_TILES)
    return dashboardPage(c, `A dashboard holds at most ${MAX_TILES} tiles.`, 400);
  await changeTiles(ctx.db, ctx.project.id, dashboard.id, [{ text: { body: parsed.data.body } }]);
  return back();
}

/** A move or resize button's change, or a tile dragged onto another (`onto`, a tile id). */
const TileChangeForm = z.discriminatedUnion('change', [
  z.strictObject({ change: z.enum(GRID_CHANGES) }),
  z.strictObject({ change: z.literal('move'), onto: z.string().regex(/^\d{1,15}$/, 'expected a tile id') }),
]);

/** Moves or resizes one tile; every tile gets its packed cell, so the grid stays gapless. */
export async function changeTileAction(c: WebContext) {
  const { ctx, dashboard, back } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const parsed = TileChangeForm.safeParse(await form(c));
  if (!parsed.success) return dashboardPage(c, issuesText(parsed.error, 'change'), 400);
  const tileId = idOf(c.req.param('tile_id'));
  const tiles = (await tilesOf(ctx.db, ctx.project.id, dashboard.id)).map((r) => r.tile);
  if (!tileId || !tiles.some((t) => t.id === tileId)) return notFoundPage(c, 'No such tile.');
  const change = parsed.data;
  const ordered = inReadingOrder(tiles);
  const placed =
    change.change === 'move'
      ? moveOnto(ordered, tileId, Number(change.onto))
      : changeGrid(ordered, tileId, change.change);
  await changeTiles(
    ctx.db,
    ctx.project.id,
    dashboard.id,
    placed.map((p) => {
      const layouts = tiles.find((t) => t.id === p.id)?.layouts ?? {};
      return { id: p.id, layouts: { ...layouts, sm: p.cell } };
    }),
  );
  return back();
}

export async function removeTileAction(c: WebContext) {
  const { ctx, dashboard, back } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const tileId = idOf(c.req.param('tile_id'));
  if (tileId) await changeTiles(ctx.db, ctx.project.id, dashboard.id, [{ id: tileId, deleted: true }]);
  return back();
}

const ShareForm = z.object({
  action: z.enum(['enable', 'disable', 'rotate', 'settings']),
  allow_embedding: z.literal('yes').optional(),
  show_person_ids: z.literal('yes').optional(),
});

export async function shareAction(c: WebContext) {
  const { ctx, dashboard, back } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const parsed = ShareForm.safeParse(await form(c));
  if (!parsed.success) return dashboardPage(c, issuesText(parsed.error, 'share'), 400);
  const { action, allow_embedding, show_person_ids } = parsed.data;
  const settings = { allowEmbedding: allow_embedding === 'yes', showPersonIds: show_person_ids === 'yes' };
  await changeSharing(ctx.db, dashboard, {
    ...(action === 'enable' ? { enabled: true, settings } : {}),
    ...(action === 'disable' ? { enabled: false } : {}),
    ...(action === 'rotate' ? { rotate: true, settings } : {}),
    ...(action === 'settings' ? { settings } : {}),
  });
  return back();
}

export async function deleteDashboardAction(c: WebContext) {
  const { ctx, dashboard } = await scope(c);
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  await updateDashboard(ctx.db, ctx.project.id, dashboard.id, { deleted: true });
  return c.redirect(appUrl(c, `/projects/${ctx.project.id}/dashboards`), 303);
}
