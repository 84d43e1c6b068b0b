/**
 * Funnel breakdown attribution (funnelsFilter.breakdownAttributionType), as
 * PostHog's funnel UDF query chooses the breakdown values an actor is walked
 * with (funnel_udf.py `_prop_vals`), over the actor's events in the range:
 *
 * - `first_touch` (the default) / `last_touch`: the value of the actor's first
 *   / last event that has one (any non-empty part); `[]` when none has;
 * - `all_events`: every value the actor's events have, each walked over the
 *   events of that value only, so an actor may count under several;
 * - `step` (`breakdownAttributionValue` = the step's index): every value the
 *   actor's events of that step have, each walked requiring that step's event
 *   to carry it; an actor without an event of that step is not counted.
 */
import { QueryError } from './errors';
import type { FunnelsQueryInput } from './schema';
import type { WalkEvent } from './funnel-walk';

type Attribution = { type: 'first_touch' | 'last_touch' | 'all_events' } | { type: 'step'; step: number };

/** Attributed values one actor may be walked with; past it the query is refused rather than stalled. */
export const MAX_ATTRIBUTED_VALUES = 100;

const ATTR = 'query.funnelsFilter';

export function attributionOf(query: FunnelsQueryInput): Attribution {
  const ff = query.funnelsFilter ?? {};
  const type = ff.breakdownAttributionType ?? 'first_touch';
  const unordered = ff.funnelOrderType === 'unordered';
  if (type === 'step') {
    const step = ff.breakdownAttributionValue;
    if (step === undefined || step === null || step > query.series.length - 1) {
      throw QueryError.badField(
        `${ATTR}.breakdownAttributionValue`,
        `${ATTR}.breakdownAttributionValue: "step" attribution needs the index of a step (0 … ${query.series.length - 1}).`,
      );
    }
    if (unordered) {
      throw QueryError.badField(
        `${ATTR}.breakdownAttributionType`,
        `${ATTR}.breakdownAttributionType: "step" attribution is not supported yet for unordered funnels.`,
      );
    }
    return { type, step };
  }
  if (ff.breakdownAttributionValue !== undefined && ff.breakdownAttributionValue !== null) {
    throw QueryError.badField(
      `${ATTR}.breakdownAttributionValue`,
      `${ATTR}.breakdownAttributionValue: only with breakdownAttributionType "step".`,
    );
  }
  if (type === 'all_events' && unordered) {
    throw QueryError.badField(
      `${ATTR}.breakdownAttributionType`,
      `${ATTR}.breakdownAttributionType: "all_events" is not supported yet for unordered funnels.`,
    );
  }
  return { type };
}

const hasValue = (key: string) => (JSON.parse(key) as string[]).some((v) => v !== '');

/** The breakdown keys (JSON lists) one actor is walked with, from its events in time order. */
export function attributedValues(events: WalkEvent[], attribution: Attribution): string[] {
  switch (attribution.type) {
    case 'first_touch':
      return [events.find((e) => hasValue(e[2]))?.[2] ?? '[]'];
    case 'last_touch':
      return [events.findLast((e) => hasValue(e[2]))?.[2] ?? '[]'];
    case 'all_events':
      return capped([...new Set(events.map((e) => e[2]))]);
    case 'step':
      return capped([...new Set(events.filter((e) => e[0] & (1 << attribution.step)).map((e) => e[2]))]);
  }
}

function capped(values: string[]): string[] {
  if (values.length > MAX_ATTRIBUTED_VALUES) {
    throw QueryError.badField(
      `${ATTR}.breakdownAttributionType`,
      `${ATTR}.breakdownAttributionType: an actor has more than ${MAX_ATTRIBUTED_VALUES} breakdown values to walk; ` +
        'use first_touch or last_touch, or a breakdown with fewer values.',
    );
  }
  return values;
}
