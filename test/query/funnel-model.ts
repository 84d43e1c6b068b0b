/**
 * A plain model of ordered and strict funnels with PostHog's exclusions,
 * breakdown attribution and multiple breakdowns, over a generated world: the
 * events an actor is walked with, the breakdown values each is walked with
 * (funnel_udf.py `_prop_vals`), and the walk as funnel-udf/src/steps.rs states
 * it (one slot per step, the furthest step's chain, exclusions voiding the slot
 * of the step before theirs), written out event by event.
 */
import { personOf, textOf, wallClock, type World, type WorldEvent } from './world';

export interface ModelFunnelX {
  steps: (string | null)[];
  order: 'ordered' | 'strict';
  windowMs: number;
  /** Inclusive local dates. */
  from: string;
  to: string;
  breakdowns?: { key: string; type: 'event' | 'person' }[];
  limit?: number;
  attribution?: 'first_touch' | 'last_touch' | 'all_events' | { step: number };
  exclusions?: { event: string; from: number; to: number }[];
}

export interface ModelStep {
  count: number;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  breakdown_value?: string[];
}

interface Ev {
  t: number;
  steps: number[];
  exclusions: number[];
  bv: string;
}

interface Slot {
  start: number;
  times: number[];
  excluded: boolean;
}

function walk(evs: Ev[], n: number, windowMs: number, strict: boolean, attributed?: { step: number; value: string }) {
  const slots: (Slot | null)[] = Array(n + 1).fill(null);
  let best = null as { step: number; slot: Slot } | null;
  const inWindow = (s: Slot | null, t: number): s is Slot => s !== null && t - s.start <= windowMs;
  for (const e of evs) {
    slots[0] = { start: e.t, times: [], excluded: false };
    for (const s of [...e.exclusions].sort((a, b) => b - a)) {
      const prev = slots[s - 1] ?? null;
      if (!inWindow(prev, e.t) || slots[s]?.start === prev.start || prev.excluded) continue;
      slots[s - 1] = { ...prev, excluded: true };
      if (best && best.step === s - 1 && e.t - best.slot.start <= windowMs) {
        best = { step: best.step, slot: { ...best.slot, excluded: true } };
      }
    }
    for (const s of [...e.steps].sort((a, b) => b - a)) {
      const prev = slots[s - 1] ?? null;
      if (!inWindow(prev, e.t) || slots[s]?.start === prev.start) continue;
      if (attributed && attributed.step === s && e.bv !== attributed.value) continue;
      const next = { start: prev.start, times: [...prev.times, e.t], excluded: prev.excluded };
      if (!prev.excluded) slots[s] = next;
      if (!best || s > best.step || (s === best.step && best.slot.excluded)) best = { step: s, slot: next };
    }
    if (strict) for (let s = 1; s <= n; s++) if (!e.steps.includes(s)) slots[s] = null;
    if (slots[n]) break;
  }
  return best && !best.slot.excluded ? best.slot.times : null;
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) / 2;
  return (s[Math.floor(i)]! + s[Math.ceil(i)]!) / 2;
}

export function modelFunnelX(w: World, q: ModelFunnelX, timezone: string): ModelStep[][] {
  const n = q.steps.length;
  const matchesStep = (e: WorldEvent, i: number) => q.steps[i] === null || e.event === q.steps[i];
  const exclusionsOf = (e: WorldEvent) => {
    const out: number[] = [];
    for (let k = 1; k < n; k++) {
      if ((q.exclusions ?? []).some((x) => x.event === e.event && x.from < k && k <= x.to)) out.push(k + 1);
    }
    return out;
  };
  const byPerson = new Map<string, Ev[]>();
  for (const e of w.events) {
    const date = wallClock(Date.parse(e.timestamp), timezone).date;
    if (date < q.from || date > q.to) continue;
    const steps = q.steps.flatMap((_, i) => (matchesStep(e, i) ? [i + 1] : []));
    const exclusions = exclusionsOf(e);
    if (q.order !== 'strict' && steps.length === 0 && exclusions.length === 0) continue;
    const person = personOf(w, e);
    const bv = JSON.stringify(
      (q.breakdowns ?? []).map(
        (b) => textOf((b.type === 'person' ? (w.personProps.get(person) ?? {}) : e.properties)[b.key]) ?? '',
      ),
    );
    byPerson.set(person, [...(byPerson.get(person) ?? []), { t: Date.parse(e.timestamp), steps, exclusions, bv }]);
  }
  const attempts: { bv: string; times: number[] }[] = [];
  for (const evs of byPerson.values()) {
    evs.sort((a, b) => a.t - b.t);
    const hasValue = (e: Ev) => (JSON.parse(e.bv) as string[]).some((v) => v !== '');
    const a = q.attribution ?? 'first_touch';
    let values: string[];
    if (!q.breakdowns) values = [''];
    else if (a === 'first_touch') values = [evs.find(hasValue)?.bv ?? '[]'];
    else if (a === 'last_touch') values = [[...evs].reverse().find(hasValue)?.bv ?? '[]'];
    else if (a === 'all_events') values = [...new Set(evs.map((e) => e.bv))];
    else values = [...new Set(evs.filter((e) => e.steps.includes(a.step + 1)).map((e) => e.bv))];
    for (const value of values) {
      const walked = a === 'all_events' && q.breakdowns ? evs.filter((e) => e.bv === value) : evs;
      const attributed = typeof a === 'object' ? { step: a.step + 1, value } : undefined;
      const times = walk(walked, n, q.windowMs, q.order === 'strict', attributed);
      if (times) attempts.push({ bv: value, times });
    }
  }
  const stepsOf = (group: typeof attempts, bv: string | null): ModelStep[] =>
    q.steps.map((_, i) => {
      const reached = group.filter((g) => g.times.length > i);
      const d = i === 0 ? [] : reached.map((g) => (g.times[i]! - g.times[i - 1]!) / 1000).filter((x) => x > 0);
      return {
        count: reached.length,
        average_conversion_time: d.length ? d.reduce((x, y) => x + y, 0) / d.length : null,
        median_conversion_time: d.length ? median(d) : null,
        ...(bv === null ? {} : { breakdown_value: JSON.parse(bv) as string[] }),
      };
    });
  if (!q.breakdowns) return [stepsOf(attempts, null)];
  const groups = [...new Set(attempts.map((g) => g.bv))]
    .map((bv) => ({ bv, group: attempts.filter((g) => g.bv === bv) }))
    .sort((x, y) => y.group.length - x.group.length || (x.bv < y.bv ? -1 : 1));
  const limit = q.limit ?? 25;
  const kept = groups.slice(0, limit);
  const rest = groups.slice(limit);
  if (rest.length) kept.push({ bv: '["$$_posthog_breakdown_other_$$"]', group: rest.flatMap((r) => r.group) });
  return kept.map((g) => stepsOf(g.group, g.bv));
}
