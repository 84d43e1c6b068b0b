/**
 * The OpenAPI description of the insights and dashboards routes (insights.ts, dashboards.ts),
 * which check their input themselves (saved-schemas.ts): their paths, parameters and bodies,
 * and the shapes they answer with (src/dashboards/shapes.ts, PostHog's serializers).
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { scopedErrors } from './project-scope';
import {
  DASHBOARD_GET_PARAMS,
  DASHBOARD_LIST_PARAMS,
  DashboardCreateSchema,
  DashboardFieldsSchema,
  INSIGHT_GET_PARAMS,
  INSIGHT_LIST_PARAMS,
  InsightCreateSchema,
  InsightFieldsSchema,
  SharingSchema,
} from './saved-schemas';
import { ErrorSchema, jsonContent, ProjectIdParam } from './schemas';

type Registry = OpenAPIHono<AppEnv>['openAPIRegistry'];
type RouteConfig = Parameters<Registry['registerPath']>[0];
type Method = 'get' | 'post' | 'patch' | 'delete';

const idParam = (name: string) => z.string().openapi({ param: { name, in: 'path' }, type: 'integer', example: 1 });
const InsightParams = ProjectIdParam.extend({ insight_id: idParam('insight_id') });
const DashboardParams = ProjectIdParam.extend({ dashboard_id: idParam('dashboard_id') });

const queryOf = (params: Record<string, string>) =>
  z.object(
    Object.fromEntries(
      Object.entries(params).map(([name, description]) => [name, z.string().optional().openapi({ description })]),
    ),
  );

const nullableText = z.string().nullable();
const InsightTileRef = z.object({ id: z.number().int(), dashboard_id: z.number().int(), deleted: z.literal(false) });

/** The result fields (results.ts `InsightResultView`). */
const ResultFields = {
  result: z.unknown().openapi({ description: 'The query endpoint’s `results`; null until calculated.' }),
  hasMore: z.boolean().nullable(),
  columns: z.array(z.unknown()).nullable(),
  types: z.array(z.unknown()).nullable(),
  last_refresh: nullableText,
  is_cached: z.boolean(),
  cache_target_age: nullableText.openapi({ description: 'When the result goes stale.' }),
  next_allowed_client_refresh: nullableText,
  timezone: z.string(),
  query_status: z.null(),
};
const Access = {
  effective_restriction_level: z.number().int(),
  effective_privilege_level: z.number().int(),
  user_access_level: z.string(),
};

export const InsightSchema = z
  .strictObject({
    id: z.number().int(),
    short_id: z.string(),
    name: nullableText,
    derived_name: z.null(),
    filters: z.strictObject({}),
    query: z.record(z.string(), z.unknown()).openapi({ description: 'As saved; on a dashboard, the query that runs.' }),
    order: z.null(),
    deleted: z.boolean(),
    dashboards: z.array(z.number().int()),
    dashboard_tiles: z.array(InsightTileRef),
    ...ResultFields,
    hogql: z.null(),
    created_at: z.string(),
    created_by: z.null(),
    description: z.string(),
    updated_at: z.string(),
    tags: z.array(z.string()),
    favorited: z.boolean(),
    saved: z.boolean(),
    last_modified_at: z.string(),
    last_modified_by: z.null(),
    is_sample: z.literal(false),
    ...Access,
  })
  .openapi('Insight');

const DashboardBasicFields = {
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  pinned: z.boolean(),
  created_at: z.string(),
  created_by: z.null(),
  last_accessed_at: z.null(),
  is_shared: z.boolean(),
  deleted: z.boolean(),
  creation_mode: z.string(),
  tags: z.array(z.string()),
  restriction_level: z.number().int(),
  ...Access,
  access_control_version: z.string(),
  last_refresh: nullableText.openapi({ description: "The oldest tile's last refresh." }),
  team_id: z.number().int(),
};
export const DashboardBasicSchema = z.strictObject(DashboardBasicFields).openapi('DashboardBasic');

export const TileSchema = z
  .strictObject({
    id: z.number().int(),
    insight: InsightSchema.nullable(),
    text: z
      .strictObject({
        id: z.number().int(),
        body: nullableText,
        created_by: z.null(),
        last_modified_at: nullableText,
        last_modified_by: z.null(),
        team: z.number().int(),
      })
      .nullable(),
    layouts: z.record(z.string(), z.unknown()),
    color: nullableText,
    order: z.number().int(),
    last_refresh: nullableText,
    is_cached: z.boolean(),
    filters_overrides: z.strictObject({}),
    error: z
      .strictObject({ type: z.string(), message: z.string() })
      .optional()
      .openapi({ description: 'Why the tile has no result (a refused filter, a timeout, `too_large`).' }),
  })
  .openapi('DashboardTile');

export const DashboardSchema = z
  .strictObject({
    ...DashboardBasicFields,
    filters: z.record(z.string(), z.unknown()),
    variables: z.strictObject({}),
    breakdown_colors: z.array(z.unknown()),
    data_color_theme_id: z.null(),
    persisted_filters: z.record(z.string(), z.unknown()).nullable(),
    persisted_variables: z.null(),
    tiles: z.array(TileSchema),
  })
  .openapi('Dashboard');

export const SharingConfigurationSchema = z
  .strictObject({
    created_at: nullableText,
    enabled: z.boolean(),
    access_token: nullableText,
    settings: z.record(z.string(), z.unknown()),
  })
  .openapi('SharingConfiguration');

const offsetPageOf = <T extends z.ZodType>(item: T) =>
  z.strictObject({ count: z.number().int(), next: nullableText, previous: nullableText, results: z.array(item) });

const ok = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: jsonContent(schema),
});
const notAllowed = {
  405: {
    description: 'Hard delete is refused, as in PostHog: PATCH `{"deleted": true}`',
    content: jsonContent(ErrorSchema),
  },
};
const body = <T extends z.ZodType>(schema: T) => ({ body: { content: jsonContent(schema), required: true } });

/** Adds every insights and dashboards route, under `/projects/` and `/environments/`, to the document. */
export function documentSavedRoutes(registry: Registry): void {
  for (const prefix of ['projects', 'environments'] as const) {
    const insights = `/${prefix}/{project_id}/insights`;
    const dashboards = `/${prefix}/{project_id}/dashboards`;
    const alias = prefix === 'environments' ? ' (environments alias)' : '';
    const route = (tag: string) => (method: Method, at: string, summary: string, rest: object) =>
      registry.registerPath({ method, path: at, tags: [tag], summary: `${summary}${alias}`, ...rest } as RouteConfig);
    const insightPath = route('Insights');
    const dashboardPath = route('Dashboards');

    insightPath('get', insights, 'List saved insights', {
      request: { params: ProjectIdParam, query: queryOf(INSIGHT_LIST_PARAMS) },
      responses: {
        200: ok('One page of insights with their cached results', offsetPageOf(InsightSchema)),
        ...scopedErrors,
      },
    });
    insightPath('post', insights, 'Save an insight (its query checked as the query endpoint checks it)', {
      request: { params: ProjectIdParam, ...body(InsightCreateSchema) },
      responses: { 201: ok('The insight, with the answer its check computed', InsightSchema), ...scopedErrors },
    });
    insightPath('get', `${insights}/{insight_id}`, 'Get an insight and its result', {
      request: { params: InsightParams, query: queryOf(INSIGHT_GET_PARAMS) },
      responses: { 200: ok('The insight', InsightSchema), ...scopedErrors },
    });
    insightPath('patch', `${insights}/{insight_id}`, 'Change, soft-delete or restore an insight', {
      request: { params: InsightParams, ...body(InsightFieldsSchema) },
      responses: { 200: ok('The insight', InsightSchema), ...scopedErrors },
    });
    insightPath('delete', `${insights}/{insight_id}`, 'Refused', {
      request: { params: InsightParams },
      responses: { ...notAllowed, ...scopedErrors },
    });

    dashboardPath('get', dashboards, 'List dashboards', {
      request: { params: ProjectIdParam, query: queryOf(DASHBOARD_LIST_PARAMS) },
      responses: { 200: ok('One page of dashboards', offsetPageOf(DashboardBasicSchema)), ...scopedErrors },
    });
    dashboardPath('post', dashboards, 'Create a dashboard', {
      request: { params: ProjectIdParam, ...body(DashboardCreateSchema) },
      responses: { 201: ok('The dashboard', DashboardSchema), ...scopedErrors },
    });
    dashboardPath('get', `${dashboards}/{dashboard_id}`, "Get a dashboard with its tiles' results", {
      request: { params: DashboardParams, query: queryOf(DASHBOARD_GET_PARAMS) },
      responses: { 200: ok('The dashboard', DashboardSchema), ...scopedErrors },
    });
    dashboardPath('patch', `${dashboards}/{dashboard_id}`, 'Change a dashboard, its filters and tiles', {
      request: { params: DashboardParams, ...body(DashboardFieldsSchema) },
      responses: { 200: ok('The dashboard', DashboardSchema), ...scopedErrors },
    });
    dashboardPath('delete', `${dashboards}/{dashboard_id}`, 'Refused', {
      request: { params: DashboardParams },
      responses: { ...notAllowed, ...scopedErrors },
    });
    const sharing = `${dashboards}/{dashboard_id}/sharing`;
    dashboardPath('get', sharing, 'The share link of a dashboard', {
      request: { params: DashboardParams },
      responses: { 200: ok('Its sharing configuration', SharingConfigurationSchema), ...scopedErrors },
    });
    dashboardPath('patch', sharing, 'Turn the share link on or off, change its settings', {
      request: { params: DashboardParams, ...body(SharingSchema) },
      responses: { 200: ok('Its sharing configuration', SharingConfigurationSchema), ...scopedErrors },
    });
    dashboardPath('post', `${sharing}/refresh`, 'A new share link: the old one stops working', {
      request: { params: DashboardParams },
      responses: { 200: ok('Its sharing configuration', SharingConfigurationSchema), ...scopedErrors },
    });
  }
}
