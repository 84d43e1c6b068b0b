import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { projectReadDb } from '../db/shards';
import { DEFINITION_TYPE } from '../definitions/collect';
import { PROPERTY_TYPES } from '../definitions/property-type';
import {
  EVENT_ORDERINGS,
  listEventDefinitions,
  listPropertyDefinitions,
  type EventOrdering,
} from '../definitions/reads';
import type { AppEnv } from '../env';
import { MAX_GROUP_TYPES } from '../groups/rules';
import { pageUrl } from './pagination';
import { scopedErrors } from './project-scope';
import { ProjectIdParam, jsonContent, validationHook } from './schemas';

const queryParam = (name: string, description: string) => ({ param: { name, in: 'query' as const }, description });

/** DRF's BooleanField spellings. */
const BooleanParam = (name: string, description: string) =>
  z
    .enum(['true', 'false', 'True', 'False', '1', '0'])
    .transform((v) => v === 'true' || v === 'True' || v === '1')
    .optional()
    .openapi(queryParam(name, description));

/** A JSON-encoded list of names, as PostHog's `event_names` and `excluded_properties`. */
const JsonNames = (name: string, description: string) =>
  z
    .string()
    .max(100_000)
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON-encoded list of names, e.g. ["$pageview"]' });
        return z.NEVER;
      }
    })
    .pipe(z.array(z.string().max(400)).max(1_000))
    .optional()
    .openapi({ ...queryParam(name, description), type: 'string' });

const Paging = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .openapi(queryParam('limit', 'Page size (1 to 1000, default 100).')),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).openapi(queryParam('offset', 'Rows to skip.')),
  search: z.string().max(200).optional().openapi(queryParam('search', 'Every word must appear in the name.')),
};

/** PostHog's `{count, next, previous, results}` with absolute limit/offset links. */
function limitOffsetPage<T>(url: string, count: number, limit: number, offset: number, results: T[]) {
  const next = offset + limit < count ? pageUrl(url, { limit, offset: offset + limit }) : null;
  const previous = offset > 0 ? pageUrl(url, { limit, offset: Math.max(0, offset - limit) }) : null;
  return { count, next, previous, results };
}

const OrderingValue = z.enum(EVENT_ORDERINGS.flatMap((o) => [o, `-${o}`]) as [EventOrdering, ...EventOrdering[]]);

const EventDefinitionsQuery = z
  .object({
    ...Paging,
    event_type: z
      .enum(['event', 'event_custom', 'event_posthog', 'all', 'action_event'])
      .default('event')
      .openapi(queryParam('event_type', '`event_custom`: not starting with `$`; `event_posthog`: starting with `$`.')),
    exclude_hidden: BooleanParam('exclude_hidden', 'Nothing is hidden here, so this changes nothing.'),
    excluded_properties: JsonNames('excluded_properties', 'JSON list of event names to leave out.'),
    ordering: z
      .union([OrderingValue, z.array(OrderingValue).max(5)])
      .optional()
      .openapi(queryParam('ordering', '`name`, `last_seen_at`, `last_seen_at::date`, `-` for descending; repeatable.')),
  })
  .strict();

const EventDefinition = z
  .object({
    id: z.string(),
    name: z.string(),
    created_at: z.string(),
    last_seen_at: z.string(),
    last_updated_at: z.string().nullable(),
    tags: z.array(z.string()),
    is_action: z.boolean(),
    action_id: z.number().nullable(),
    is_calculating: z.boolean(),
    last_calculated_at: z.string().nullable(),
    created_by: z.null(),
    post_to_slack: z.boolean(),
  })
  .openapi('EventDefinition');

const PropertyDefinitionsQuery = z
  .object({
    ...Paging,
    type: z
      .enum(['event', 'person', 'group'])
      .default('event')
      .openapi(queryParam('type', 'Event, person or group (with `group_type_index`) properties.')),
    group_type_index: z.coerce
      .number()
      .int()
      .min(0)
      .max(MAX_GROUP_TYPES - 1)
      .optional()
      .openapi(queryParam('group_type_index', 'With `type=group`.')),
    properties: z.string().max(20_000).optional().openapi(queryParam('properties', 'Comma-separated names.')),
    is_numerical: BooleanParam('is_numerical', 'Only numeric properties (when true).'),
    is_feature_flag: BooleanParam('is_feature_flag', 'Only (true) or no (false) `$feature/…` properties.'),
    event_names: JsonNames('event_names', 'JSON list; sets `is_seen_on_filtered_events` and orders seen first.'),
    filter_by_event_names: BooleanParam('filter_by_event_names', 'Only properties seen on `event_names`.'),
    excluded_properties: JsonNames('excluded_properties', 'JSON list of names to leave out.'),
    exclude_core_properties: BooleanParam('exclude_core_properties', "Leave out `$…` and PostHog's core names."),
    exclude_hidden: BooleanParam('exclude_hidden', 'Nothing is hidden here, so this changes nothing.'),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.type === 'group' && q.group_type_index === undefined)
      ctx.addIssue({ code: 'custom', path: ['group_type_index'], message: 'required with type=group' });
    if (q.type !== 'group' && q.group_type_index !== undefined)
      ctx.addIssue({ code: 'custom', path: ['group_type_index'], message: 'only with type=group' });
    if (q.type !== 'event' && q.event_names?.length)
      ctx.addIssue({ code: 'custom', path: ['event_names'], message: 'only with type=event' });
  });

const PropertyDefinition = z
  .object({
    id: z.string(),
    name: z.string(),
    is_numerical: z.boolean(),
    property_type: z.enum(PROPERTY_TYPES).nullable(),
    tags: z.array(z.string()),
    is_seen_on_filtered_events: z.boolean().nullable(),
  })
  .openapi('PropertyDefinition');

const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(item),
  });

export const definitionRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/event_definitions',
      tags: ['Definitions'],
      summary: 'List the event names the project has received',
      description: 'Kept by ingestion: one row per event name, `last_seen_at` to the hour.',
      request: { params: ProjectIdParam, query: EventDefinitionsQuery },
      responses: { 200: { description: 'One page', content: jsonContent(pageOf(EventDefinition)) }, ...scopedErrors },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      const q = c.req.valid('query');
      const ordering = q.ordering === undefined ? [] : [q.ordering].flat();
      const db = await projectReadDb(c.env, projectId);
      // No actions exist here: `action_event` lists nothing, `all` lists the events.
      const { count, rows } =
        q.event_type === 'action_event'
          ? { count: 0, rows: [] }
          : await listEventDefinitions(db, projectId, {
              ...q,
              eventType: q.event_type,
              excluded: q.excluded_properties ?? [],
              ordering,
            });
      const results = rows.map((r) => ({
        ...r,
        last_updated_at: null,
        tags: [] as string[],
        is_action: false,
        action_id: null,
        is_calculating: false,
        last_calculated_at: null,
        created_by: null,
        post_to_slack: false,
      }));
      return c.json(limitOffsetPage(c.req.url, count, q.limit, q.offset, results), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/property_definitions',
      tags: ['Definitions'],
      summary: 'List the event, person or group property names the project has received',
      description: "Kept by ingestion; `property_type` is detected from the values as PostHog's ingestion does.",
      request: { params: ProjectIdParam, query: PropertyDefinitionsQuery },
      responses: {
        200: { description: 'One page', content: jsonContent(pageOf(PropertyDefinition)) },
        ...scopedErrors,
      },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      const q = c.req.valid('query');
      const db = await projectReadDb(c.env, projectId);
      const { count, rows } = await listPropertyDefinitions(db, projectId, {
        ...q,
        type: DEFINITION_TYPE[q.type],
        groupTypeIndex: q.group_type_index ?? -1,
        names: q.properties?.split(','),
        isNumerical: q.is_numerical,
        isFeatureFlag: q.is_feature_flag,
        eventNames: q.event_names,
        filterByEventNames: q.filter_by_event_names,
        excluded: q.excluded_properties ?? [],
        excludeCoreProperties: q.exclude_core_properties ?? false,
      });
      const results = rows.map((r) => ({
        id: r.id,
        name: r.name,
        is_numerical: r.property_type === 'Numeric',
        property_type: r.property_type,
        tags: [] as string[],
        is_seen_on_filtered_events:
          r.is_seen_on_filtered_events === null ? null : Boolean(r.is_seen_on_filtered_events),
      }));
      return c.json(limitOffsetPage(c.req.url, count, q.limit, q.offset, results), 200);
    },
  );
