/** Saved insights and dashboards as PostHog's serializers shape them (posthog/api/insight.py, dashboards/). */
import type { DashboardRow, TileRow } from './dashboard-store';
import type { InsightRow, InsightTile } from './insight-store';
import type { InsightResultView } from './results';
import { WRAPPER_KINDS } from './insight-query';

/** Without users and roles, everyone holding the key can edit: PostHog's levels for that. */
const ACCESS = {
  effective_restriction_level: 21,
  effective_privilege_level: 37,
  user_access_level: 'editor',
} as const;

/** The query as shown on a dashboard: the wrapper kept, its source the one that runs there. */
export function queryShown(insight: InsightRow, effectiveSource: Record<string, unknown>): Record<string, unknown> {
  return (WRAPPER_KINDS as readonly unknown[]).includes(insight.query.kind)
    ? { ...insight.query, source: effectiveSource }
    : effectiveSource;
}

export function insightJson(
  insight: InsightRow,
  tiles: InsightTile[],
  result: InsightResultView,
  query: Record<string, unknown> = insight.query,
) {
  return {
    id: insight.id,
    short_id: insight.shortId,
    name: insight.name,
    derived_name: null,
    filters: {},
    query,
    order: null,
    deleted: insight.deleted,
    dashboards: tiles.map((t) => t.dashboard_id),
    dashboard_tiles: tiles,
    ...result,
    hogql: null,
    created_at: insight.createdAt,
    created_by: null,
    description: insight.description,
    updated_at: insight.updatedAt,
    tags: insight.tags,
    favorited: insight.favorited,
    saved: insight.saved,
    last_modified_at: insight.lastModifiedAt,
    last_modified_by: null,
    is_sample: false,
    ...ACCESS,
  };
}

type InsightJson = ReturnType<typeof insightJson>;

/** The list's and the detail's common part (PostHog's DashboardBasicSerializer). */
export function dashboardBasicJson(dashboard: DashboardRow, lastRefresh: string | null = null) {
  return {
    id: dashboard.id,
    name: dashboard.name,
    description: dashboard.description,
    pinned: dashboard.pinned,
    created_at: dashboard.createdAt,
    created_by: null,
    last_accessed_at: null,
    is_shared: dashboard.shareEnabled,
    deleted: dashboard.deleted,
    creation_mode: 'default',
    tags: dashboard.tags,
    restriction_level: 21,
    ...ACCESS,
    access_control_version: 'v2',
    last_refresh: lastRefresh,
    team_id: dashboard.projectId,
  };
}

export interface TileJson {
  id: number;
  insight: InsightJson | null;
  text: {
    id: number;
    body: string | null;
    created_by: null;
    last_modified_at: string | null;
    last_modified_by: null;
    team: number;
  } | null;
  layouts: Record<string, unknown>;
  color: string | null;
  order: number;
  last_refresh: string | null;
  is_cached: boolean;
  filters_overrides: Record<string, never>;
  error?: { type: string; message: string };
}

export function tileJson(
  tile: TileRow,
  order: number,
  insight: InsightJson | null,
  error?: { type: string; message: string },
): TileJson {
  return {
    id: tile.id,
    insight,
    text:
      tile.insightId === null
        ? {
            id: tile.id,
            body: tile.textBody,
            created_by: null,
            last_modified_at: tile.textLastModifiedAt,
            last_modified_by: null,
            team: tile.projectId,
          }
        : null,
    layouts: tile.layouts,
    color: tile.color,
    order,
    last_refresh: insight?.last_refresh ?? null,
    is_cached: insight?.is_cached ?? false,
    filters_overrides: {},
    ...(error ? { error } : {}),
  };
}

export function dashboardJson(dashboard: DashboardRow, tiles: TileJson[]) {
  const refreshes = tiles.map((t) => t.last_refresh).filter((r): r is string => r !== null);
  const oldest = refreshes.length ? refreshes.reduce((a, b) => (a < b ? a : b)) : null;
  return {
    ...dashboardBasicJson(dashboard, oldest),
    filters: dashboard.filters,
    variables: {},
    breakdown_colors: [],
    data_color_theme_id: null,
    persisted_filters: Object.keys(dashboard.filters).length ? dashboard.filters : null,
    persisted_variables: null,
    tiles,
  };
}

/** PostHog's SharingConfiguration, for a dashboard. */
export function sharingJson(dashboard: DashboardRow) {
  return {
    created_at: dashboard.shareCreatedAt,
    enabled: dashboard.shareEnabled,
    access_token: dashboard.shareToken,
    settings: dashboard.shareSettings,
  };
}
