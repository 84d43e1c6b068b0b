/**
 * The actors of one retention cohort (`interval`: the cohort's index, 0 = the
 * first), each with the periods they came back in (`appearances`, 0 = the
 * cohort's own period), as PostHog's retention actors. The cohorts come from
 * the masks runRetention counts (retention.ts `retentionPlan`), so the set is
 * the one the cohort's number counted.
 */
import { type ActorsSource, checkActorCount, refuseFields } from './actors-source';
import type { QueryContext } from './context';
import { QueryError } from './errors';
import { retentionPlan } from './retention';
import type { RetentionQueryInput } from './schema';

interface RetentionActorsInput {
  source: RetentionQueryInput;
  interval?: number | null;
}

export async function retentionActors(ctx: QueryContext, input: RetentionActorsInput): Promise<ActorsSource> {
  refuseFields(
    input,
    ['day', 'series', 'breakdown', 'compare'],
    'a trends field; a retention cohort is chosen by interval.',
  );
  const attr = 'query.source.interval';
  const { buckets, masks } = await retentionPlan(ctx, input.source);
  const cohort = input.interval;
  if (cohort === undefined || cohort === null || cohort >= buckets.length)
    throw QueryError.badField(attr, `${attr}: the cohort's index, 0 to ${buckets.length - 1}.`);
  const actors: { actor: string; appearances: number[] }[] = [];
  for (const [actor, { s, r }] of await masks()) {
    if (s === null || ((s >> BigInt(cohort)) & 1n) !== 1n) continue;
    const appearances = [0];
    for (let j = cohort + 1; j < buckets.length; j++) if ((r >> BigInt(j)) & 1n) appearances.push(j - cohort);
    actors.push({ actor, appearances });
    checkActorCount(actors.length);
  }
  return { actors, groupTypeIndex: input.source.aggregation_group_type_index ?? null, columns: ['appearances'] };
}
