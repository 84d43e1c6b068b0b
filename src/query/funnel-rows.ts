/**
 * Each funnel actor's matching events, in time order, as the walk reads them.
 *
 * One actor may have any number of events: a single distinct id sent 100,000
 * events with the public project token. PostHog keeps such a hot id from
 * stalling ingestion (capture sends its bursts to an overflow lane), and its
 * funnel UDF walks whatever the person has. Here one actor's array was one
 * JSON value, and past SQLite's string limit the whole funnel failed for the
 * project. So an actor's walk reads at most `funnelEventsPerActor` events
 * (budget.ts), its earliest in the range, in arrays of CHUNK events (always far
 * under the string limit); every other actor is unaffected.
 */
import { sql, type SQL } from 'drizzle-orm';
import { QUERY_BUDGET, budgetOf, yieldToOthers } from './budget';
import type { Db } from '../db/client';
import { run } from './source';

/** [step bit mask, epoch ms, breakdown value] in time order. */
export type ActorEvent = [number, number, string];

const CHUNK = 1_000;
/** Actors walked between two yields to the other requests of the isolate. */
const ACTORS_PER_YIELD = 500;

/**
 * `matching` selects (actor, mask, ts, bv). Yields each actor's events (at most
 * the cap), checking the query's deadline as it goes.
 */
export async function* actorEvents(
  db: Db,
  matching: SQL,
  opts: { strict: boolean; cap?: number },
): AsyncGenerator<{ actor: string; events: ActorEvent[] }> {
  const cap = opts.cap ?? budgetOf(db)?.limits.funnelEventsPerActor ?? QUERY_BUDGET.funnelEventsPerActor;
  const numbered = sql`SELECT actor, mask, ts, bv, row_number() OVER (PARTITION BY actor ORDER BY ts, mask) - 1 AS rn
    FROM (${matching}) WHERE actor IS NOT NULL ${opts.strict ? sql`` : sql`AND mask > 0`}`;
  const rows = await run<{ actor: string; events: string }>(
    db,
    sql`SELECT actor, json_group_array(json_array(mask, ts, bv) ORDER BY rn) AS events
      FROM (${numbered}) WHERE rn < ${cap} GROUP BY actor, rn / ${CHUNK} ORDER BY actor, rn / ${CHUNK}`,
  );
  const budget = budgetOf(db);
  let walked = 0;
  for (let i = 0; i < rows.length; ) {
    const actor = rows[i]!.actor;
    const events: ActorEvent[] = [];
    for (; i < rows.length && rows[i]!.actor === actor; i++) {
      for (const [m, ts, b] of JSON.parse(rows[i]!.events) as [number, string, string][]) {
        events.push([m, Date.parse(ts), b]);
      }
    }
    yield { actor, events };
    if (++walked % ACTORS_PER_YIELD === 0) {
      budget?.checkDeadline();
      await yieldToOthers();
    }
  }
}
