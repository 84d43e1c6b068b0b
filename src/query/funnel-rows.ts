/**
 * Each funnel actor's matching events, in time order, as the walk reads them.
 *
 * The scope is read slice by slice (slices.ts: one short statement per
 * `statementRows` events, per step event name), each slice's events packed as
 * compact JSON arrays, and gathered per actor in the Worker; once every slice
 * is read, each actor is walked. A person's sequence spans slices, so it is
 * walked only when whole.
 *
 * One actor may have any number of events: a single distinct id sent 100,000
 * events with the public project token. PostHog keeps such a hot id from
 * stalling ingestion (capture sends its bursts to an overflow lane), and its
 * funnel UDF walks whatever the person has. Here an actor's walk reads at
 * most `funnelEventsPerActor` events (budget.ts), its earliest in the range,
 * so one hot distinct id costs its walk no more than any other's; every other
 * actor is unaffected.
 */
import { sql, type SQL } from 'drizzle-orm';
import { QUERY_BUDGET, budgetOf, yieldToOthers } from './budget';
import type { Db } from '../db/client';
import { eventSlices } from './event-slices';
import type { IndexScope, Slice } from './slices';
import { runPacked } from './source';
import type { Needs } from './types';

/** [step bit mask, epoch ms, breakdown value] in time order. */
export type ActorEvent = [number, number, string];

/** Actors walked between two yields to the other requests of the isolate. */
const ACTORS_PER_YIELD = 500;

/** One actor's events so far, as columns (a few numbers per event, the breakdown values interned). */
interface Gathered {
  masks: number[];
  times: number[];
  values: number[];
}

/** The order the walk reads: by time, then by step mask (as PostHog's arrays, sorted by timestamp). */
function order(g: Gathered): number[] {
  const idx = g.times.map((_, i) => i);
  return idx.sort((a, b) => g.times[a]! - g.times[b]! || g.masks[a]! - g.masks[b]!);
}

/** Keeps an actor's earliest `cap` events. */
function trim(g: Gathered, cap: number): void {
  const kept = order(g).slice(0, cap);
  g.masks = kept.map((i) => g.masks[i]!);
  g.times = kept.map((i) => g.times[i]!);
  g.values = kept.map((i) => g.values[i]!);
}

/**
 * `matching(range, slice)` selects (actor, mask, ts, bv) of one slice of one
 * index range. Yields each actor's events (at most the cap, earliest first),
 * checking the query's deadline as it goes.
 */
export async function* actorEvents(
  db: Db,
  ranges: IndexScope[],
  matching: (range: IndexScope, slice: Slice) => SQL,
  opts: { strict: boolean; needs: Needs; cap?: number },
): AsyncGenerator<{ actor: string; events: ActorEvent[] }> {
  const budget = budgetOf(db);
  const limits = budget?.limits ?? QUERY_BUDGET;
  const cap = opts.cap ?? limits.funnelEventsPerActor;
  const gathered = new Map<string, Gathered>();
  const valueIds = new Map<string, number>();
  const values: string[] = [];
  const valueId = (v: unknown) => {
    // A JSON list may arrive parsed (SQLite keeps json_array's JSON subtype through a flattened subquery).
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    let id = valueIds.get(text);
    if (id === undefined) {
      valueIds.set(text, (id = values.length));
      values.push(text);
    }
    return id;
  };
  for (const range of ranges) {
    for await (const slice of eventSlices(db, range, opts.needs)) {
      const rows = await runPacked(
        db,
        sql`SELECT actor, mask, ts, bv FROM (${matching(range, slice)})
          WHERE actor IS NOT NULL ${opts.strict ? sql`` : sql`AND mask > 0`}`,
        ['actor', 'mask', 'ts', 'bv'],
      );
      for (const [actor, m, ts, b] of rows as [string, number, string, unknown][]) {
        let g = gathered.get(actor);
        if (!g) gathered.set(actor, (g = { masks: [], times: [], values: [] }));
        g.masks.push(m);
        g.times.push(Date.parse(ts));
        g.values.push(valueId(b));
        if (g.times.length > 2 * cap) trim(g, cap);
      }
    }
  }
  let walked = 0;
  for (const [actor, g] of gathered) {
    gathered.delete(actor);
    const events = order(g)
      .slice(0, cap)
      .map((i): ActorEvent => [g.masks[i]!, g.times[i]!, values[g.values[i]!]!]);
    yield { actor, events };
    if (++walked % ACTORS_PER_YIELD === 0) {
      budget?.checkDeadline();
      await yieldToOthers();
    }
  }
}
