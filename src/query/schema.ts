/**
 * The query endpoint's request schema: the subset of PostHog's query schema
 * (frontend/src/queries/schema) this service answers, with PostHog's field
 * names. Unknown fields are ignored, as PostHog ignores what a kind does not
 * use; unknown kinds and fields with a wrong shape are 400s naming the field.
 */
import { z } from '@hono/zod-openapi';
import { MAX_GROUP_TYPES } from '../groups/rules';

export const SUPPORTED_KINDS = ['TrendsQuery', 'FunnelsQuery', 'RetentionQuery', 'EventsQuery'] as const;

const PROPERTY_OPERATORS = [
  'exact',
  'is_not',
  'icontains',
  'not_icontains',
  'regex',
  'not_regex',
  'gt',
  'gte',
  'lt',
  'lte',
  'is_set',
  'is_not_set',
] as const;

/** A group type's index (src/groups/rules.ts). */
const GroupTypeIndexSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_GROUP_TYPES - 1);

const Scalar = z.union([z.string().max(10_000), z.number(), z.boolean()]);

const QueryPropertyFilter = z
  .object({
    key: z.string().min(1).max(1_000),
    value: z
      .union([Scalar, z.array(Scalar).max(1_000)])
      .nullable()
      .optional(),
    operator: z.enum(PROPERTY_OPERATORS).default('exact'),
    /** `event`, `person`, or `group` (with `group_type_index`). */
    type: z.string().max(50).default('event'),
    group_type_index: GroupTypeIndexSchema.nullable().optional(),
  })
  .openapi('QueryPropertyFilter', { description: 'A property filter, as PostHog: `{key, value, operator, type}`.' });
export type PropertyFilterInput = z.infer<typeof QueryPropertyFilter>;

export interface PropertyGroupInput {
  type: 'AND' | 'OR';
  values: (PropertyFilterInput | PropertyGroupInput)[];
}

/** Nested AND/OR groups, as PostHog's PropertyGroupFilter. Depth is bounded by the route (JSON depth check). */
const QueryPropertyGroup: z.ZodType<PropertyGroupInput> = z
  .lazy(() =>
    z.object({
      type: z.enum(['AND', 'OR']).default('AND'),
      values: z.array(z.union([QueryPropertyGroup, QueryPropertyFilter])).max(100),
    }),
  )
  .openapi('QueryPropertyGroup', {
    description: "PostHog's PropertyGroupFilter: nested AND/OR groups of property filters.",
  }) as z.ZodType<PropertyGroupInput>;

const Properties = z
  .union([z.array(QueryPropertyFilter).max(100), QueryPropertyGroup])
  .nullable()
  .optional();

const DateRange = z
  .object({
    date_from: z.string().max(100).nullable().optional(),
    date_to: z.string().max(100).nullable().optional(),
    explicitDate: z.boolean().nullable().optional(),
  })
  .openapi('QueryDateRange');

const TRENDS_MATHS = ['total', 'dau', 'weekly_active', 'monthly_active', 'unique_session', 'unique_group'] as const;
const PROPERTY_MATHS = ['sum', 'avg', 'min', 'max', 'median', 'p75', 'p90', 'p95', 'p99'] as const;

const EventsNode = z
  .object({
    kind: z.literal('EventsNode').default('EventsNode'),
    event: z.string().max(400).nullable().optional(),
    name: z.string().max(400).nullable().optional(),
    custom_name: z.string().max(400).nullable().optional(),
    math: z
      .enum([...TRENDS_MATHS, ...PROPERTY_MATHS])
      .nullable()
      .optional(),
    math_property: z.string().min(1).max(1_000).nullable().optional(),
    math_property_type: z.enum(['event_properties', 'person_properties']).nullable().optional(),
    /** With `math: "unique_group"`: which group type to count. */
    math_group_type_index: GroupTypeIndexSchema.nullable().optional(),
    properties: Properties,
  })
  .openapi('EventsNode');
export type EventsNodeInput = z.infer<typeof EventsNode>;

const BreakdownFilter = z
  .object({
    breakdown: z.string().max(1_000).nullable().optional(),
    breakdown_type: z.string().max(50).nullable().optional(),
    breakdown_group_type_index: GroupTypeIndexSchema.nullable().optional(),
    breakdown_limit: z.number().int().min(1).max(1_000).nullable().optional(),
    breakdown_hide_other_aggregation: z.boolean().nullable().optional(),
  })
  .openapi('BreakdownFilter');

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;

/** Displays that aggregate the whole range into one value per series (PostHog's NON_TIME_SERIES_DISPLAY_TYPES). */
export const AGGREGATE_DISPLAYS = ['BoldNumber', 'ActionsBarValue', 'ActionsPie', 'ActionsTable', 'WorldMap'] as const;
const TIME_SERIES_DISPLAYS = [
  'ActionsLineGraph',
  'ActionsBar',
  'ActionsAreaGraph',
  'ActionsLineGraphCumulative',
] as const;

const TrendsQuery = z
  .object({
    kind: z.literal('TrendsQuery'),
    series: z.array(EventsNode).min(1).max(20),
    /** Active-user maths (`dau`, `weekly_active`, `monthly_active`) count groups of this type instead of persons. */
    aggregation_group_type_index: GroupTypeIndexSchema.nullable().optional(),
    interval: z.enum(INTERVALS).nullable().optional(),
    dateRange: DateRange.nullable().optional(),
    properties: Properties,
    filterTestAccounts: z.boolean().nullable().optional(),
    breakdownFilter: BreakdownFilter.nullable().optional(),
    trendsFilter: z
      .object({
        display: z
          .enum([...TIME_SERIES_DISPLAYS, ...AGGREGATE_DISPLAYS])
          .nullable()
          .optional(),
      })
      .nullable()
      .optional(),
    compareFilter: z.object({ compare: z.boolean().nullable().optional() }).nullable().optional(),
  })
  .openapi('TrendsQuery');
export type TrendsQueryInput = z.infer<typeof TrendsQuery>;

const FUNNEL_WINDOW_UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month'] as const;
export type FunnelWindowUnit = (typeof FUNNEL_WINDOW_UNITS)[number];

const FunnelsQuery = z
  .object({
    kind: z.literal('FunnelsQuery'),
    /** Count groups of this type through the funnel instead of persons. */
    aggregation_group_type_index: GroupTypeIndexSchema.nullable().optional(),
    series: z
      .array(EventsNode.omit({ math: true, math_property: true, math_property_type: true }))
      .min(2)
      .max(20),
    dateRange: DateRange.nullable().optional(),
    properties: Properties,
    filterTestAccounts: z.boolean().nullable().optional(),
    breakdownFilter: BreakdownFilter.nullable().optional(),
    funnelsFilter: z
      .object({
        funnelWindowInterval: z.number().int().min(1).max(100_000).nullable().optional(),
        funnelWindowIntervalUnit: z.enum(FUNNEL_WINDOW_UNITS).nullable().optional(),
        funnelOrderType: z.enum(['ordered', 'strict', 'unordered']).nullable().optional(),
        funnelVizType: z.literal('steps').nullable().optional(),
      })
      .nullable()
      .optional(),
  })
  .openapi('FunnelsQuery');
export type FunnelsQueryInput = z.infer<typeof FunnelsQuery>;

const RetentionEntity = z.object({
  id: z
    .union([z.string().max(400), z.number()])
    .nullable()
    .optional(),
  name: z.string().max(400).nullable().optional(),
  type: z.literal('events').default('events'),
});

const RetentionQuery = z
  .object({
    kind: z.literal('RetentionQuery'),
    /** Cohorts of groups of this type instead of persons. */
    aggregation_group_type_index: GroupTypeIndexSchema.nullable().optional(),
    dateRange: DateRange.nullable().optional(),
    properties: Properties,
    filterTestAccounts: z.boolean().nullable().optional(),
    retentionFilter: z.object({
      targetEntity: RetentionEntity.nullable().optional(),
      returningEntity: RetentionEntity.nullable().optional(),
      period: z.enum(['Day', 'Week', 'Month']).nullable().optional(),
      totalIntervals: z.number().int().min(1).max(60).nullable().optional(),
      retentionType: z.enum(['retention_recurring', 'retention_first_time']).nullable().optional(),
    }),
  })
  .openapi('RetentionQuery');
export type RetentionQueryInput = z.infer<typeof RetentionQuery>;

/** The column vocabulary of an EventsQuery `select`. */
const EVENTS_QUERY_COLUMN = new RegExp(
  `^(${[
    /\*|event|timestamp|distinct_id|person_id|uuid/,
    /count\(\)|min\(timestamp\)|max\(timestamp\)/,
    /properties\..+|person\.properties\..+/,
  ]
    .map((r) => r.source)
    .join('|')})$`,
  's',
);

const EventsQueryQuery = z
  .object({
    kind: z.literal('EventsQuery'),
    select: z
      .array(
        z
          .string()
          .max(1_000)
          .regex(
            EVENTS_QUERY_COLUMN,
            'expected one of *, event, timestamp, distinct_id, person_id, uuid, count(), min(timestamp), ' +
              'max(timestamp), properties.<key>, person.properties.<key>',
          ),
      )
      .min(1)
      .max(50),
    event: z.string().max(400).nullable().optional(),
    properties: Properties,
    fixedProperties: Properties,
    after: z.string().max(100).nullable().optional(),
    before: z.string().max(100).nullable().optional(),
    orderBy: z.array(z.string().max(1_100)).max(10).nullable().optional(),
    limit: z.number().int().min(1).max(10_000).nullable().optional(),
    offset: z.number().int().min(0).max(1_000_000).nullable().optional(),
    personId: z.string().max(100).nullable().optional(),
    where: z
      .array(z.string())
      .max(0, 'HogQL `where` expressions are not supported; use `properties`')
      .nullable()
      .optional(),
  })
  .openapi('EventsQuery');
export type EventsQueryInput = z.infer<typeof EventsQueryQuery>;

export const AnyQuery = z.discriminatedUnion('kind', [TrendsQuery, FunnelsQuery, RetentionQuery, EventsQueryQuery], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    const kind = JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind ?? null);
    return `unsupported query kind ${kind}; supported kinds: ${SUPPORTED_KINDS.join(', ')}`;
  },
});
export type AnyQueryInput = z.infer<typeof AnyQuery>;

export const QueryRequest = z
  .object({
    query: AnyQuery,
    refresh: z
      .union([z.boolean(), z.string().max(100)])
      .nullable()
      .optional(),
    client_query_id: z.string().max(200).nullable().optional(),
  })
  .openapi('QueryRequest');
