/**
 * Each retention actor's periods as bit masks (bit i: the i-th cohort period):
 * `s` the periods of their target event (every one, or their first ever for
 * first-time retention), `r` those of their returning event. Read slice by
 * slice (slices.ts: one short statement per `statementRows` events), each
 * slice's masks per actor OR-ed together in the Worker (a sum of distinct
 * powers of two is a bitwise OR, so each slice sums in SQL).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { type EventScope, runPacked } from './source';
import { eventSlices, sliceFrom, sliceWhere } from './event-slices';
import { type IndexScope, type Slice, indexScopesOf } from './slices';
import type { Needs } from './types';

export interface ActorMasks {
  /** Null when the actor has no cohort (first-time: no first target event in the range). */
  s: bigint | null;
  r: bigint;
}

export interface MaskReads {
  needs: Needs;
  actor: SQL;
  filters: SQL;
  /** The bit of a period key column: `1 << index`. */
  bit: (column: SQL) => SQL;
  target: string | null;
  returning: string | null;
  /** The cohorts' span. */
  from: number;
  end: number;
}

const matchesEvent = (event: string | null): SQL => (event === null ? sql`1` : sql`e.event = ${event}`);

/** Runs `statement` (rows of actor, a, b) on every slice of `scope`, handing each row to `take`. */
async function eachSlice(
  ctx: QueryContext,
  needs: Needs,
  scope: EventScope,
  statement: (range: IndexScope, slice: Slice) => SQL,
  take: (actor: string, a: string | null, b: string | null) => void,
): Promise<void> {
  for (const range of indexScopesOf(scope)) {
    for await (const slice of eventSlices(ctx.db, range, needs)) {
      const rows = await runPacked(ctx.db, statement(range, slice), ['actor', 'a', 'b']);
      for (const [actor, a, b] of rows as [string, string | null, string | null][]) take(String(actor), a, b);
    }
  }
}

export async function actorMasks(
  ctx: QueryContext,
  m: MaskReads,
  firstTime: boolean,
): Promise<Map<string, ActorMasks>> {
  const masks = new Map<string, ActorMasks>();
  const entry = (actor: string) => {
    let e = masks.get(actor);
    if (!e) masks.set(actor, (e = { s: null, r: 0n }));
    return e;
  };
  const orInto = (actor: string, s: string | null, r: string | null) => {
    const e = entry(actor);
    if (s !== null) e.s = (e.s ?? 0n) | BigInt(s);
    if (r !== null) e.r |= BigInt(r);
  };
  const inRange = (range: IndexScope, slice: Slice) =>
    sql`${sliceFrom(m.needs, range)} WHERE ${sliceWhere(m.needs, range, slice)} AND ${m.filters}`;
  const events = m.target === null || m.returning === null ? undefined : [...new Set([m.target, m.returning])];
  const cohortSpan: EventScope = { projectId: ctx.projectId, from: m.from, to: m.end };

  if (!firstTime) {
    await eachSlice(
      ctx,
      m.needs,
      { ...cohortSpan, events },
      (range, slice) => sql`SELECT actor, CAST(sum(DISTINCT s) AS TEXT) AS a, CAST(sum(DISTINCT r) AS TEXT) AS b
        FROM (SELECT ${m.actor} AS actor,
            CASE WHEN ${matchesEvent(m.target)} THEN ${m.bit(sql.raw('e.timestamp'))} END AS s,
            CASE WHEN ${matchesEvent(m.returning)} THEN ${m.bit(sql.raw('e.timestamp'))} END AS r
          FROM ${inRange(range, slice)})
        WHERE actor IS NOT NULL GROUP BY actor`,
      orInto,
    );
    return masks;
  }

  // First time: each actor's first target event ever (any time before the end), kept when it falls in the range.
  const firsts = new Map<string, { first: string; s: string }>();
  await eachSlice(
    ctx,
    m.needs,
    { projectId: ctx.projectId, to: m.end, event: m.target },
    (range, slice) => sql`SELECT actor, first AS a, CAST(${m.bit(sql.raw('first'))} AS TEXT) AS b
      FROM (SELECT ${m.actor} AS actor, min(e.timestamp) AS first FROM ${inRange(range, slice)} GROUP BY 1)
      WHERE actor IS NOT NULL`,
    (actor, first, s) => {
      const seen = firsts.get(actor);
      if (!seen || first! < seen.first) firsts.set(actor, { first: first!, s: s! });
    },
  );
  const from = new Date(m.from).toISOString();
  const end = new Date(m.end).toISOString();
  for (const [actor, f] of firsts) if (f.first >= from && f.first < end) orInto(actor, f.s, null);
  firsts.clear();
  await eachSlice(
    ctx,
    m.needs,
    { ...cohortSpan, event: m.returning },
    (range, slice) => sql`SELECT actor, NULL AS a, CAST(sum(DISTINCT r) AS TEXT) AS b
      FROM (SELECT ${m.actor} AS actor, ${m.bit(sql.raw('e.timestamp'))} AS r FROM ${inRange(range, slice)})
      WHERE actor IS NOT NULL GROUP BY actor`,
    orInto,
  );
  return masks;
}
