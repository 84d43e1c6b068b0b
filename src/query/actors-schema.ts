/**
 * PostHog's ActorsQuery: the persons (or groups) behind one number of a
 * trend (`InsightActorsQuery` with `day`, `series`, `breakdown`, `compare`), a
 * funnel step (`FunnelsActorsQuery` with `funnelStep`, `funnelStepBreakdown`)
 * or a retention cohort (`InsightActorsQuery` with `interval`). Built from the
 * source schemas by schema.ts, so this module does not import it back.
 */
import { z } from '@hono/zod-openapi';
import { ALLOW, NODE_BOOKKEEPING, refused, strictObject } from './schema-fields';

/** Answer rows per request: PostHog's default 100; at most the EventsQuery cap. */
export const DEFAULT_ACTORS_LIMIT = 100;
const MAX_ACTORS_LIMIT = 10_000;

/** What a `select` entry may name: `actor`/`person`, source columns, the actor's fields and properties. */
const ACTORS_COLUMN =
  /^(actor|person|group|id|actor_id|person\.\$delete|created_at|is_identified|event_count|event_distinct_ids|last_seen|appearances|(person\.)?properties\..+)$/s;
const COLUMN_HINT =
  'expected one of actor, person, group, id, created_at, is_identified, event_count, event_distinct_ids, ' +
  'last_seen, appearances, person.$delete, properties.<key>, person.properties.<key>';

const BreakdownValue = z.union([
  z.string().max(1_000),
  z.number(),
  z.array(z.union([z.string().max(1_000), z.number()])).max(1),
]);

type KindObject<K extends string> = z.ZodObject<{ kind: z.ZodLiteral<K> } & z.ZodRawShape>;

export function actorsQuerySchema<
  T extends KindObject<'TrendsQuery'>,
  F extends KindObject<'FunnelsQuery'>,
  R extends KindObject<'RetentionQuery'>,
>(s: { TrendsQuery: T; FunnelsQuery: F; RetentionQuery: R }) {
  const InsightActorsQuery = strictObject({
    ...NODE_BOOKKEEPING,
    kind: z.literal('InsightActorsQuery'),
    source: z.discriminatedUnion('kind', [s.TrendsQuery, s.RetentionQuery]),
    /** Trends: the bucket, as the answer's `days` entry (a date, or a datetime for hours). */
    day: z
      .union([z.string().max(100), z.number()])
      .nullable()
      .optional(),
    /** Trends: the series' index (default 0). */
    series: z.number().int().min(0).max(19).nullable().optional(),
    breakdown: BreakdownValue.nullable().optional(),
    compare: z.enum(['current', 'previous']).nullable().optional(),
    /** Retention: the cohort's index (0 = the first cohort). */
    interval: z.number().int().min(0).max(59).nullable().optional(),
    status: refused('status (lifecycle)'),
    includeRecordings: refused('includeRecordings (there are no recordings)', ALLOW.isFalse),
  });
  const FunnelsActorsQuery = strictObject({
    ...NODE_BOOKKEEPING,
    kind: z.literal('FunnelsActorsQuery'),
    source: s.FunnelsQuery,
    /** 1-based: N = reached step N; -N = reached step N-1 and dropped off before step N. */
    funnelStep: z.number().int().min(-20).max(20),
    funnelStepBreakdown: BreakdownValue.nullable().optional(),
    funnelCustomSteps: refused('funnelCustomSteps', ALLOW.isEmptyList),
    funnelTrendsDropOff: refused('funnelTrendsDropOff (funnel trends)', ALLOW.isFalse),
    funnelTrendsEntrancePeriodStart: refused('funnelTrendsEntrancePeriodStart (funnel trends)'),
    includeRecordings: refused('includeRecordings (there are no recordings)', ALLOW.isFalse),
  });
  return strictObject({
    ...NODE_BOOKKEEPING,
    kind: z.literal('ActorsQuery'),
    source: z.discriminatedUnion('kind', [InsightActorsQuery, FunnelsActorsQuery]),
    select: z.array(z.string().max(1_000).regex(ACTORS_COLUMN, COLUMN_HINT)).min(1).max(50).nullable().optional(),
    /** Matches the email, the name, the id or any distinct id (groups: the name or the key), case-insensitively. */
    search: z.string().max(1_000).nullable().optional(),
    orderBy: z.array(z.string().max(1_100)).max(10).nullable().optional(),
    limit: z.number().int().min(1).max(MAX_ACTORS_LIMIT).nullable().optional(),
    offset: z.number().int().min(0).max(1_000_000).nullable().optional(),
    properties: refused('properties (filter the source query instead)', ALLOW.isEmptyList),
    fixedProperties: refused('fixedProperties (filter the source query instead)', ALLOW.isEmptyList),
  }).openapi('ActorsQuery');
}
