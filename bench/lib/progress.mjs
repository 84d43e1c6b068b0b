// Waiting for the queue consumer: poll the bench counts until a project holds
// what the workload must produce, or a deadline passes.
import { json } from './http.mjs';

export const counts = (baseUrl, projectId) => json(`${baseUrl}/_bench/counts?project_id=${projectId}`);

const reached = (c, want) => Object.entries(want).every(([key, value]) => c[key] >= value);

/**
 * Polls until every count in `want` is reached (each a minimum), measured from
 * `startedAt` (performance.now() of the first request). Resolves with whether
 * it finished, the elapsed ms and the last counts.
 */
export async function waitForCounts(baseUrl, projectId, want, { startedAt, deadlineMs, everyMs = 200 }) {
  // Stored events once a second, to tell a steady rate from a slow start or tail.
  const timeline = [];
  for (;;) {
    const c = await counts(baseUrl, projectId);
    const elapsed = performance.now() - startedAt;
    if (elapsed >= timeline.length * 1000) {
      timeline.push([Math.round(elapsed / 100) / 10, c.events]);
      if (process.env.BENCH_VERBOSE) console.log(`    ${(elapsed / 1000).toFixed(1)} s ${JSON.stringify(c)}`);
    }
    if (reached(c, want)) return { done: true, ms: elapsed, counts: c, timeline };
    if (elapsed > deadlineMs) return { done: false, ms: elapsed, counts: c, timeline };
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls until the counts stop changing for `quietMs` (the consumer is idle), up to `deadlineMs`. */
export async function waitForQuiet(baseUrl, projectId, { quietMs = 3_000, deadlineMs = 60_000 } = {}) {
  const started = performance.now();
  let last = '';
  let since = performance.now();
  for (;;) {
    const c = await counts(baseUrl, projectId);
    const now = JSON.stringify(c);
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) {
      return c;
    }
    if (performance.now() - started > deadlineMs) return c;
    await new Promise((r) => setTimeout(r, 250));
  }
}
