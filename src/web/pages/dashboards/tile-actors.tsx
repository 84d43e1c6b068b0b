/**
 * The persons behind a number of a saved insight or of a dashboard tile, built from the stored
 * query with the dashboard's filters applied (`effectiveQuery`, which computes the tile's
 * numbers), whatever the insights page's form can express. Owner pages only: the shared page
 * links nowhere.
 */
import { z } from 'zod';
import { getDashboard, tilesOf } from '../../../dashboards/dashboard-store';
import { getInsight } from '../../../dashboards/insight-store';
import { effectiveQuery } from '../../../dashboards/results';
import { appUrl, type WebContext } from '../../context';
import { notFoundPage } from '../../render';
import { NUMBER_PARAMS, numberActorsPage, withOffset } from '../number-actors';
import { dashboardPath, savedInsightPath } from './paths';
import { idOf, webResultContext } from './web-results';

// These URLs carry nothing but the number: any other parameter is refused.
const NumberParams = z.strictObject(NUMBER_PARAMS);

function numberPage(
  c: WebContext,
  query: Record<string, unknown>,
  about: string,
  back: { href: string; label: string; section: 'insights' | 'dashboards' },
) {
  const search = new URL(c.req.url).search;
  return numberActorsPage(c, {
    built: { query },
    params: NumberParams.safeParse(c.req.query()),
    back,
    about,
    section: back.section,
    pageAt: (offset) => `${appUrl(c, c.req.path)}${withOffset(search, offset)}`,
  });
}

export async function tileActorsPage(c: WebContext) {
  const ctx = await webResultContext(c);
  const dashboardId = idOf(c.req.param('dashboard_id'));
  const tileId = idOf(c.req.param('tile_id'));
  const dashboard = dashboardId ? await getDashboard(ctx.db, ctx.project.id, dashboardId) : undefined;
  const tile = dashboard && (await tilesOf(ctx.db, ctx.project.id, dashboard.id)).find((r) => r.tile.id === tileId);
  if (!dashboard || !tile?.insight) return notFoundPage(c, 'No such tile.');
  const name = tile.insight.name || 'Untitled insight';
  return numberPage(c, effectiveQuery(tile.insight, dashboard), name, {
    href: appUrl(c, dashboardPath(ctx.project.id, dashboard.id)),
    label: `Back to ${dashboard.name}`,
    section: 'dashboards',
  });
}

export async function savedInsightActorsPage(c: WebContext) {
  const ctx = await webResultContext(c);
  const id = idOf(c.req.param('insight_id'));
  const insight = id ? await getInsight(ctx.db, ctx.project.id, id) : undefined;
  if (!insight) return notFoundPage(c, 'No such saved insight.');
  return numberPage(c, effectiveQuery(insight, null), insight.name || 'Untitled insight', {
    href: appUrl(c, savedInsightPath(ctx.project.id, insight.id)),
    label: 'Back to the insight',
    section: 'insights',
  });
}
