/**
 * The query endpoint's request schema: the subset of PostHog's query schema
 * (frontend/src/queries/schema) this service answers, with PostHog's field
 * names. Every field is implemented, display-only or refused (schema-fields.ts);
 * unknown kinds, unknown fields and fields with a wrong shape are 400s naming the field.
 */
import { z } from '@hono/zod-openapi';
import { MAX_QUERY_LENGTH } from '../hogql/parser';
import { actorsQuerySchema } from './actors-schema';
import { ALLOW, GroupTypeIndexSchema, NODE_BOOKKEEPING, displayOnly, refused, strictObject } from './schema-fields';
import {
  BreakdownFilter,
  CompareFilter,
  type FUNNEL_WINDOW_UNITS,
  RetentionFilter,
  TrendsFilter,
  funnelsFilterSchema,
} from './schema-insight-filters';

export { AGGREGATE_DISPLAYS } from './schema-insight-filters';

export const SUPPORTED_KINDS = [
  'TrendsQuery',
  'FunnelsQuery',
  'RetentionQuery',
  'EventsQuery',
  'ActorsQuery',
  'HogQLQuery',
  'DatabaseSchemaQuery',
] as const;

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

const Scalar = z.union([z.string().max(10_000), z.number(), z.boolean()]);

const QueryPropertyFilter = strictObject({
  key: z.string().min(1).max(1_000),
  value: z
    .union([Scalar, z.array(Scalar).max(1_000)])
    .nullable()
    .optional(),
  operator: z.enum(PROPERTY_OPERATORS).default('exact'),
  /** `event`, `person`, or `group` (with `group_type_index`). */
  type: z.string().max(50).default('event'),
  group_type_index: GroupTypeIndexSchema.nullable().optional(),
  label: displayOnly,
}).openapi('QueryPropertyFilter', { description: 'A property filter, as PostHog: `{key, value, operator, type}`.' });
export type PropertyFilterInput = z.infer<typeof QueryPropertyFilter>;

export interface PropertyGroupInput {
  type: 'AND' | 'OR';
  values: (PropertyFilterInput | PropertyGroupInput)[];
}

/** Nested AND/OR groups, as PostHog's PropertyGroupFilter. Depth is bounded by the route (JSON depth check). */
const QueryPropertyGroup: z.ZodType<PropertyGroupInput> = z
  .lazy(() =>
    strictObject({
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

const DateRange = strictObject({
  date_from: z.string().max(100).nullable().optional(),
  date_to: z.string().max(100).nullable().optional(),
  explicitDate: z.boolean().nullable().optional(),
}).openapi('QueryDateRange');

const TRENDS_MATHS = ['total', 'dau', 'weekly_active', 'monthly_active', 'unique_session', 'unique_group'] as const;
const PROPERTY_MATHS = ['sum', 'avg', 'min', 'max', 'median', 'p75', 'p90', 'p95', 'p99'] as const;

const EventsNode = strictObject({
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
  fixedProperties: refused('fixedProperties on a series; use properties', ALLOW.isEmptyList),
  math_hogql: refused('HogQL maths'),
  math_multiplier: refused('math multipliers', (v) => v === 1),
  optionalInFunnel: refused('optional funnel steps', ALLOW.isFalse),
  version: NODE_BOOKKEEPING.version,
  response: NODE_BOOKKEEPING.response,
}).openapi('EventsNode');
export type EventsNodeInput = z.infer<typeof EventsNode>;

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;

const TrendsQuery = strictObject({
  ...NODE_BOOKKEEPING,
  kind: z.literal('TrendsQuery'),
  series: z.array(EventsNode).min(1).max(20),
  /** Active-user maths (`dau`, `weekly_active`, `monthly_active`) count groups of this type instead of persons. */
  aggregation_group_type_index: GroupTypeIndexSchema.nullable().optional(),
  interval: z.enum(INTERVALS).nullable().optional(),
  dateRange: DateRange.nullable().optional(),
  properties: Properties,
  filterTestAccounts: z.boolean().nullable().optional(),
  breakdownFilter: BreakdownFilter.nullable().optional(),
  trendsFilter: TrendsFilter.nullable().optional(),
  compareFilter: CompareFilter.nullable().optional(),
  conversionGoal: refused('conversion goals'),
}).openapi('TrendsQuery');
export type TrendsQueryInput = z.infer<typeof TrendsQuery>;

export type FunnelWindowUnit = (typeof FUNNEL_WINDOW_UNITS)[number];

const FunnelStep = EventsNode.omit({ math: true, math_property: true, math_property_type: true });

const FunnelsQuery = strictObject({
  ...NODE_BOOKKEEPING,
  kind: z.literal('FunnelsQuery'),
  /** Count groups of this type through the funnel instead of persons. */
  aggregation_group_type_index: GroupTypeIndexSchema.nullable().optional(),
  series: z.array(FunnelStep).min(2).max(20),
  /** Only the funnel trends view reads it; the steps view is one total over the range. */
  interval: z.enum(INTERVALS).nullable().optional(),
  dateRange: DateRange.nullable().optional(),
  properties: Properties,
  filterTestAccounts: z.boolean().nullable().optional(),
  breakdownFilter: BreakdownFilter.nullable().optional(),
  funnelsFilter: funnelsFilterSchema(FunnelStep).nullable().optional(),
}).openapi('FunnelsQuery');
export type FunnelsQueryInput = z.infer<typeof FunnelsQuery>;

const RetentionQuery = strictObject({
  ...NODE_BOOKKEEPING,
  kind: z.literal('RetentionQuery'),
  /** Cohorts of groups of this type instead of persons. */
  aggregation_group_type_index: GroupTypeIndexSchema.nullable().optional(),
  /** Cohorts from the period of `date_from` (else `totalIntervals` back) to the period of `date_to` (retention.ts). */
  dateRange: strictObject({
    date_to: z.string().max(100).nullable().optional(),
    date_from: z.string().max(100).nullable().optional(),
    explicitDate: z.boolean().nullable().optional(),
  })
    .nullable()
    .optional(),
  properties: Properties,
  filterTestAccounts: z.boolean().nullable().optional(),
  retentionFilter: RetentionFilter,
  breakdownFilter: refused('retention breakdowns'),
}).openapi('RetentionQuery');
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

const EventsQueryQuery = strictObject({
  ...NODE_BOOKKEEPING,
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
  /** Any of these event names (with `event`, both must hold). */
  events: z.array(z.string().max(400)).max(100).nullable().optional(),
  properties: Properties,
  fixedProperties: Properties,
  filterTestAccounts: z.boolean().nullable().optional(),
  actionId: refused('actions'),
  source: refused('a source query'),
  after: z.string().max(100).nullable().optional(),
  before: z.string().max(100).nullable().optional(),
  orderBy: z.array(z.string().max(1_100)).max(10).nullable().optional(),
  limit: z.number().int().min(1).max(10_000).nullable().optional(),
  offset: z.number().int().min(0).max(1_000_000).nullable().optional(),
  personId: z.string().max(100).nullable().optional(),
  /** HogQL expressions over the events, all of which must hold (src/query/hogql-where.ts). */
  where: z.array(z.string().max(MAX_QUERY_LENGTH)).max(20).nullable().optional(),
}).openapi('EventsQuery');
export type EventsQueryInput = z.infer<typeof EventsQueryQuery>;

const HogQLValue = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);

/** PostHog's HogQLQuery (src/query/hogql-query.ts). */
const HogQLQuery = strictObject({
  ...NODE_BOOKKEEPING,
  kind: z.literal('HogQLQuery'),
  query: z.string().min(1).max(MAX_QUERY_LENGTH),
  /** What `{filters}` in the query stands for. */
  filters: strictObject({
    dateRange: DateRange.nullable().optional(),
    properties: Properties,
    filterTestAccounts: z.boolean().nullable().optional(),
  })
    .nullable()
    .optional(),
  /** What `{name}` placeholders stand for (bound as parameters). */
  values: z
    .record(z.string().max(200), z.union([HogQLValue, z.array(HogQLValue).max(1_000)]))
    .nullable()
    .optional(),
  name: displayOnly,
  explain: refused('explain (the plan is D1’s, not ClickHouse’s)', ALLOW.isFalse),
  variables: refused('insight variables; use `values`', ALLOW.isEmptyObject),
  connectionId: refused('direct connections (only the project’s own events, persons and groups)'),
  sendRawQuery: refused('raw SQL (only HogQL is compiled)', ALLOW.isFalse),
}).openapi('HogQLQuery');
export type HogQLQueryInput = z.infer<typeof HogQLQuery>;

const DatabaseSchemaQuery = strictObject({ ...NODE_BOOKKEEPING, kind: z.literal('DatabaseSchemaQuery') }).openapi(
  'DatabaseSchemaQuery',
);

/** PostHog's ActorsQuery over a trends, funnel or retention number (src/query/actors.ts). */
const ActorsQuery = actorsQuerySchema({ TrendsQuery, FunnelsQuery, RetentionQuery });
export type ActorsQueryInput = z.infer<typeof ActorsQuery>;

export const AnyQuery = z.discriminatedUnion(
  'kind',
  [TrendsQuery, FunnelsQuery, RetentionQuery, EventsQueryQuery, ActorsQuery, HogQLQuery, DatabaseSchemaQuery],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return undefined;
      const kind = JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind ?? null);
      return `unsupported query kind ${kind}; supported kinds: ${SUPPORTED_KINDS.join(', ')}`;
    },
  },
);
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
