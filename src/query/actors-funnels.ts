/**
 * The actors behind one funnel number: those who reached step N
 * (`funnelStep: N`) or reached step N-1 and dropped off before step N
 * (`funnelStep: -N`), in one breakdown value (`funnelStepBreakdown`). Each
 * actor's best attempt is the one the answer counts (funnels.ts
 * `funnelAttempts`), so the set is the one the number counted.
 */
import { type ActorsSource, checkActorCount } from './actors-source';
import type { QueryContext } from './context';
import { QueryError } from './errors';
import { breakdownGroups, funnelAttempts, funnelBreakdownKey } from './funnels';
import type { FunnelsQueryInput } from './schema';

interface FunnelsActorsInput {
  source: FunnelsQueryInput;
  funnelStep: number;
  funnelStepBreakdown?: string | number | (string | number)[] | null;
}

export async function funnelsActors(ctx: QueryContext, input: FunnelsActorsInput): Promise<ActorsSource> {
  const steps = input.source.series.length;
  const step = input.funnelStep;
  const attr = 'query.source.funnelStep';
  if (step === 0 || Math.abs(step) > steps || step === -1)
    throw QueryError.badField(
      attr,
      `${attr}: 1 to ${steps} (reached that step) or -2 to -${steps} (dropped off before that step).`,
    );
  const { attempts, breakdown } = await funnelAttempts(ctx, input.source);
  let group = attempts;
  if (input.funnelStepBreakdown !== undefined && input.funnelStepBreakdown !== null) {
    if (!breakdown)
      throw QueryError.badField(
        'query.source.funnelStepBreakdown',
        'query.source.funnelStepBreakdown: the source query has no breakdown.',
      );
    const key = funnelBreakdownKey(input.funnelStepBreakdown);
    group = breakdownGroups(attempts, breakdown.limit).find(([k]) => k === key)?.[1] ?? [];
  }
  const reached = (a: { steps: number }) => (step > 0 ? a.steps >= step : a.steps >= -step - 1 && a.steps < -step);
  // Without a breakdown value an actor walked under several values is still one actor.
  const actors = [...new Set(group.filter(reached).map((a) => a.actor))].map((actor) => ({ actor }));
  checkActorCount(actors.length);
  return { actors, groupTypeIndex: input.source.aggregation_group_type_index ?? null, columns: [] };
}
