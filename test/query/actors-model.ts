/**
 * Who each number counts, in plain TypeScript over the generated world (no
 * SQL, no src/query): the persons of a trends bucket, of a funnel step
 * reached or dropped off, of a retention cohort. Each event counts under the
 * person its distinct id belongs to now (world.ts personOf).
 */
import { addDaysTo, weekStartOf } from './helpers';
import { matches, personOf, textOf, wallClock, type ModelFilter, type World, type WorldEvent } from './world';

const NULL = '$$_posthog_breakdown_null_$$';

export interface ModelActorsTrends {
  event: string | null;
  math: 'total' | 'dau' | 'weekly_active';
  filters: ModelFilter[];
  interval: 'day' | 'week';
  /** Inclusive local dates of the range. */
  from: string;
  to: string;
  breakdown?: { key: string; type: 'event' | 'person' };
}

const localDate = (e: WorldEvent, timezone: string) => wallClock(Date.parse(e.timestamp), timezone).date;

export function breakdownOf(w: World, e: WorldEvent, b: NonNullable<ModelActorsTrends['breakdown']>): string {
  const props = b.type === 'person' ? (w.personProps.get(personOf(w, e)) ?? {}) : e.properties;
  const t = textOf(props[b.key]);
  return t === null || t === '' ? NULL : t;
}

/**
 * Persons (with their event counts) behind one bucket (its key: a local date,
 * or a week's Sunday) and breakdown values (`values`, or every value).
 */
export function trendsActorsModel(
  w: World,
  q: ModelActorsTrends,
  timezone: string,
  bucket: string,
  values?: (v: string) => boolean,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of w.events) {
    if (q.event !== null && e.event !== q.event) continue;
    if (!q.filters.every((f) => matches(w, e, f))) continue;
    if (q.breakdown && values && !values(breakdownOf(w, e, q.breakdown))) continue;
    const date = localDate(e, timezone);
    if (date > q.to) continue;
    if (q.math === 'weekly_active') {
      if (date < addDaysTo(bucket, -6) || date > bucket) continue;
    } else {
      if (date < q.from) continue;
      const key = q.interval === 'week' ? weekStartOf(date) : date;
      if (key !== bucket) continue;
    }
    const p = personOf(w, e);
    out.set(p, (out.get(p) ?? 0) + 1);
  }
  return out;
}

/** Steps reached by each person's best attempt in an ordered funnel (the most steps any attempt reaches). */
export function funnelStepsModel(
  w: World,
  steps: string[],
  windowMs: number,
  from: string,
  to: string,
  timezone: string,
): Map<string, number> {
  const byPerson = new Map<string, WorldEvent[]>();
  for (const e of w.events) {
    const date = localDate(e, timezone);
    if (date < from || date > to || !steps.includes(e.event)) continue;
    const p = personOf(w, e);
    byPerson.set(p, [...(byPerson.get(p) ?? []), e]);
  }
  const out = new Map<string, number>();
  for (const [p, events] of byPerson) {
    events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    let best = 0;
    events.forEach((anchor, a) => {
      if (anchor.event !== steps[0]) return;
      const t0 = Date.parse(anchor.timestamp);
      let reached = 1;
      for (const e of events.slice(a + 1)) {
        if (Date.parse(e.timestamp) - t0 > windowMs || reached === steps.length) break;
        if (e.event === steps[reached]) reached++;
      }
      best = Math.max(best, reached);
    });
    if (best > 0) out.set(p, best);
  }
  return out;
}

/** Recurring daily retention: the persons of cohort `day` (did `target` that day) and the days (from it) they returned. */
export function retentionCohortModel(
  w: World,
  target: string,
  returning: string | null,
  day: string,
  lastDay: string,
  timezone: string,
): Map<string, number[]> {
  const starts = new Set<string>();
  const returns = new Map<string, Set<string>>();
  for (const e of w.events) {
    const date = localDate(e, timezone);
    const p = personOf(w, e);
    if (e.event === target && date === day) starts.add(p);
    if (returning === null || e.event === returning) returns.set(p, (returns.get(p) ?? new Set()).add(date));
  }
  const out = new Map<string, number[]>();
  for (const p of starts) {
    const appearances = [0];
    for (let j = 1, d = addDaysTo(day, 1); d <= lastDay; j++, d = addDaysTo(d, 1))
      if (returns.get(p)?.has(d)) appearances.push(j);
    out.set(p, appearances);
  }
  return out;
}
