/**
 * What the insights and dashboards routes accept: their JSON bodies and the query parameters
 * of each (any other is refused), read by the routes and by their OpenAPI document alike.
 */
import { z } from 'zod';
import { DashboardFiltersSchema } from '../dashboards/dashboard-filters';
import { MAX_TILES } from '../dashboards/dashboard-store';
import { REFRESH_MODES } from '../dashboards/refresh';

export const Tags = z.array(z.string().max(200)).max(50);

export const InsightFieldsSchema = z.strictObject({
  name: z.string().max(400).nullable().optional(),
  description: z.string().max(4000).nullable().optional(),
  query: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('An InsightVizNode, DataTableNode or DataVisualizationNode around a source query, or a source query.'),
  tags: Tags.optional(),
  favorited: z.boolean().optional(),
  saved: z.boolean().optional(),
  deleted: z.boolean().optional().describe('`true`: the soft delete; `false` restores.'),
  dashboards: z
    .array(z.number().int().positive())
    .max(30)
    .optional()
    .describe('The exact list of dashboards the insight is on: tiles are added and removed to match.'),
  /** Legacy filter-based insights are not supported; an empty object is what query-based ones carry. */
  filters: z.strictObject({}, 'legacy filters are not supported; send `query`').optional(),
});
export const InsightCreateSchema = InsightFieldsSchema.extend({ query: z.record(z.string(), z.unknown()) });

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
  id: z.number().int().positive().optional().describe('The tile to change; without it, a new text tile.'),
  layouts: Layouts.optional(),
  color: z.string().max(40).nullable().optional(),
  deleted: z.boolean().optional(),
  text: z.strictObject({ id: z.number().int().positive().optional(), body: z.string().max(4000) }).optional(),
});

export const DashboardFieldsSchema = z.strictObject({
  name: z.string().min(1).max(400).optional(),
  description: z.string().max(4000).optional(),
  pinned: z.boolean().optional(),
  tags: Tags.optional(),
  filters: DashboardFiltersSchema.optional(),
  deleted: z.boolean().optional(),
  tiles: z.array(TileChangeSchema).max(MAX_TILES).optional(),
});
export const DashboardCreateSchema = DashboardFieldsSchema.omit({ tiles: true, deleted: true }).extend({
  name: z.string().max(400).default('New Dashboard'),
});
export const SharingSchema = z.strictObject({
  enabled: z.boolean().optional(),
  settings: z
    .strictObject({
      allowEmbedding: z.boolean().optional().describe('The shared page may be shown in an <iframe> on any site.'),
      showPersonIds: z.boolean().optional().describe('Event tiles show person and distinct ids.'),
    })
    .optional(),
});

const REFRESH = `PostHog's ExecutionMode: ${REFRESH_MODES.join(', ')}; \`true\` is force_blocking, \`false\` or absent force_cache.`;
const PAGE = { limit: 'Page size, at most 100 (the default).', offset: 'How many to skip.' };

/** Each route's query parameters and what they do. */
export const INSIGHT_LIST_PARAMS = {
  ...PAGE,
  search: 'Text found in the name, description or tags (`%` and `_` are literal).',
  saved: '`true`: saved insights and those on a dashboard.',
  favorited: '`true`: favorited insights only.',
  short_id: 'The insight with this short id.',
  order: '`-last_modified_at` (the default), `last_modified_at`, `-created_at`, `created_at`, `name`, `id`.',
  dashboards: 'A JSON list of dashboard ids, such as `[1, 2]`: the insights on all of them.',
  refresh: '`force_cache` or `false`: a list serves cached results only.',
  basic: "PostHog's short form; this server answers with every field.",
};
export const INSIGHT_GET_PARAMS = {
  refresh: REFRESH,
  from_dashboard: "A dashboard id: the result under that dashboard's filters.",
};
export const DASHBOARD_LIST_PARAMS = {
  ...PAGE,
  search: 'Text found in the name or description (`%` and `_` are literal).',
  pinned: '`true` or `false`.',
};
export const DASHBOARD_GET_PARAMS = { refresh: REFRESH };
