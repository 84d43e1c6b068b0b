/**
 * `weekly_active` / `monthly_active` in one pass over the events: a bucket's
 * value is the actors with an event in the window of `window` days ending with
 * the bucket's day. Each actor's distinct active days (one read of the events)
 * become disjoint spans [day, min(day + window, next active day)), and each
 * span is spread over the few days it covers (at most `window`), kept where a
 * day is a bucket key. The work grows with the actors' active days, not with
 * buckets × events (the join of every bucket with every active day it had).
 */
import { sql, type SQL } from 'drizzle-orm';

export function activeUsersSql(opts: {
  /** SELECT DISTINCT day, bv, actor: the actors' active days ('YYYY-MM-DD' in the project's zone). */
  activeDays: SQL;
  window: number;
  /** The bucket keys ('YYYY-MM-DD': each bucket's day). */
  bucketKeys: string[];
}): SQL {
  const offsets = JSON.stringify(Array.from({ length: opts.window }, (_, i) => i));
  const spans = sql`SELECT bv, actor, day AS start,
      min(date(day, ${`+${opts.window} days`}),
        COALESCE(lead(day) OVER (PARTITION BY bv, actor ORDER BY day), '9999-12-31')) AS stop
    FROM (${opts.activeDays})`;
  const covered = sql`SELECT date(s.start, '+' || n.value || ' days') AS bucket, s.bv AS bv
    FROM (${spans}) s JOIN json_each(${offsets}) n ON date(s.start, '+' || n.value || ' days') < s.stop`;
  // Spans of one actor never overlap, so each (bucket, actor) is counted once: count(*), not DISTINCT.
  return sql`SELECT bucket, bv, count(*) AS value FROM (${covered})
    WHERE bucket IN (SELECT value FROM json_each(${JSON.stringify(opts.bucketKeys)}))
    GROUP BY bucket, bv`;
}
