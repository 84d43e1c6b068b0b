/**
 * The actors of one retention cohort (`interval`: the cohort's index, 0 = the
 * first), each with the periods they came back in (`appearances`, 0 = the
 * cohort's own period), as PostHog's retention actors. The cohorts come from
 * the masks runRetention counts (retention.ts `retentionPlan`), so the set is
 * the one the cohort's number counted.
 */
import { sql } from 'drizzle-orm';
import { type ActorsSource, MAX_SOURCE_ACTORS, checkActorCount, refuseFields } from './actors-source';
import type { QueryContext } from './context';
import { QueryError } from './errors';
import { retentionPlan } from './retention';
import type { RetentionQueryInput } from './schema';
import { run } from './source';

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
  const { buckets, perActor } = await retentionPlan(ctx, input.source);
  const cohort = input.interval;
  if (cohort === undefined || cohort === null || cohort >= buckets.length)
    throw QueryError.badField(attr, `${attr}: the cohort's index, 0 to ${buckets.length - 1}.`);
  const rows = await run<{ actor: string; r: string | null }>(
    ctx.db,
    sql`SELECT actor, CAST(r AS TEXT) AS r FROM (${perActor})
      WHERE s IS NOT NULL AND (s >> ${cohort}) & 1 = 1 LIMIT ${MAX_SOURCE_ACTORS + 1}`,
  );
  checkActorCount(rows.length);
  const actors = rows.map((row) => {
    const r = BigInt(row.r ?? 0);
    const appearances = [0];
    for (let j = cohort + 1; j < buckets.length; j++) if ((r >> BigInt(j)) & 1n) appearances.push(j - cohort);
    return { actor: String(row.actor), appearances };
  });
  return { actors, groupTypeIndex: input.source.aggregation_group_type_index ?? null, columns: ['appearances'] };
}
