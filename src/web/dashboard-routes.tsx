/** The web app's saved insights and dashboards pages (mounted by routes.tsx inside the project scope). */
import { Hono } from 'hono';
import type { WebEnv } from './context';
import {
  addInsightAction,
  addTextAction,
  changeTileAction,
  deleteDashboardAction,
  filtersAction,
  removeTileAction,
  shareAction,
} from './pages/dashboards/actions';
import { dashboardPage } from './pages/dashboards/dashboard';
import { createDashboardAction, dashboardsPage } from './pages/dashboards/list';
import { savedInsightActorsPage, tileActorsPage } from './pages/dashboards/tile-actors';
import {
  deleteInsightAction,
  saveInsightAction,
  savedInsightPage,
  savedInsightsPage,
  updateInsightAction,
} from './pages/insights/saved';

export const dashboardPages = new Hono<WebEnv>({ strict: false });

const insights = '/projects/:project_id/insights/saved';
dashboardPages.get(insights, (c) => savedInsightsPage(c));
dashboardPages.post(insights, saveInsightAction);
dashboardPages.get(`${insights}/:insight_id`, (c) => savedInsightPage(c));
dashboardPages.post(`${insights}/:insight_id`, updateInsightAction);
dashboardPages.post(`${insights}/:insight_id/delete`, deleteInsightAction);
dashboardPages.get(`${insights}/:insight_id/actors`, savedInsightActorsPage);

const dashboards = '/projects/:project_id/dashboards';
dashboardPages.get(dashboards, (c) => dashboardsPage(c));
dashboardPages.post(dashboards, createDashboardAction);
dashboardPages.get(`${dashboards}/:dashboard_id`, (c) => dashboardPage(c));
dashboardPages.post(`${dashboards}/:dashboard_id/filters`, filtersAction);
dashboardPages.post(`${dashboards}/:dashboard_id/tiles`, addInsightAction);
dashboardPages.post(`${dashboards}/:dashboard_id/text`, addTextAction);
dashboardPages.post(`${dashboards}/:dashboard_id/tiles/:tile_id/change`, changeTileAction);
dashboardPages.post(`${dashboards}/:dashboard_id/tiles/:tile_id/remove`, removeTileAction);
dashboardPages.get(`${dashboards}/:dashboard_id/tiles/:tile_id/actors`, tileActorsPage);
dashboardPages.post(`${dashboards}/:dashboard_id/share`, shareAction);
dashboardPages.post(`${dashboards}/:dashboard_id/delete`, deleteDashboardAction);
