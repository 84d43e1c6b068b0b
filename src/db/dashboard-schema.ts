import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Saved insights and dashboards (src/dashboards/), on the project's shard beside the events they
 * read: a dashboard's tiles, their insights and their cached results never span databases.
 */

const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** A saved insight, as PostHog's `posthog_dashboarditem`: a name and a query (a wrapper node and its source). */
export const insights = sqliteTable(
  'insights',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull(),
    /** 8 characters, unique in the project: the id in links. */
    shortId: text('short_id').notNull(),
    name: text('name'),
    description: text('description').notNull().default(''),
    query: text('query', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    favorited: integer('favorited', { mode: 'boolean' }).notNull().default(false),
    saved: integer('saved', { mode: 'boolean' }).notNull().default(false),
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull().default(nowIso),
    updatedAt: text('updated_at').notNull().default(nowIso),
    /** Changed only by the fields that change what the insight shows (name, description, query, favorited, tags). */
    lastModifiedAt: text('last_modified_at').notNull().default(nowIso),
  },
  (t) => [
    uniqueIndex('insights_project_short_id_unique').on(t.projectId, t.shortId),
    index('insights_project_deleted_id_idx').on(t.projectId, t.deleted, t.id),
  ],
);

/** A dashboard; its share link is a secret token that only works while `share_enabled`. */
export const dashboards = sqliteTable(
  'dashboards',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    pinned: integer('pinned', { mode: 'boolean' }).notNull().default(false),
    /** `date_from`, `date_to`, `properties`: override every tile's own. */
    filters: text('filters', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull().default(nowIso),
    shareToken: text('share_token'),
    shareEnabled: integer('share_enabled', { mode: 'boolean' }).notNull().default(false),
    shareCreatedAt: text('share_created_at'),
    /** `allowEmbedding`, `showPersonIds`. */
    shareSettings: text('share_settings', { mode: 'json' })
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'`),
  },
  (t) => [
    index('dashboards_project_deleted_id_idx').on(t.projectId, t.deleted, t.id),
    uniqueIndex('dashboards_project_share_token_unique').on(t.projectId, t.shareToken),
  ],
);

/** A dashboard's tile: an insight or a text, with its place in the grid. */
export const dashboardTiles = sqliteTable(
  'dashboard_tiles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull(),
    dashboardId: integer('dashboard_id').notNull(),
    insightId: integer('insight_id'),
    textBody: text('text_body'),
    textLastModifiedAt: text('text_last_modified_at'),
    /** PostHog's `{sm: {x, y, w, h}, xs: {...}}`. */
    layouts: text('layouts', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    color: text('color'),
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('dashboard_tiles_dashboard_idx').on(t.projectId, t.dashboardId, t.deleted),
    index('dashboard_tiles_insight_idx').on(t.projectId, t.insightId),
  ],
);

/**
 * The last result of an insight, alone (`dashboard_id` 0) or on a dashboard, with the hash of
 * the query that produced it (the insight's query with the dashboard's filters, and the time
 * zone): a row whose hash no longer matches is never served.
 */
export const insightResults = sqliteTable(
  'insight_results',
  {
    projectId: integer('project_id').notNull(),
    insightId: integer('insight_id').notNull(),
    dashboardId: integer('dashboard_id').notNull(),
    queryHash: text('query_hash').notNull(),
    response: text('response').notNull(),
    lastRefresh: text('last_refresh').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.insightId, t.dashboardId] })],
);
