// 1. Capture acceptance: requests/s and latency of the capture routes, each in one
// interleaved load with two bench routes of the same Worker (same body, same headers,
// turns of SLOT_MS) so all see the same machine load: the durable-accept baseline (sends one fixed
// message to the same queue: the message capture builds for the same body, built
// once, so both hand the queue the same bytes; the floor for anything that durably
// accepts this event) and, for reference, the no-op route (the runtime's own limit).
import { gzipSync } from 'node:zlib';
import { autocannonRun, interleavedRun } from './lib/load.mjs';
import { counts, waitForQuiet } from './lib/progress.mjs';
import { anonymousEvent, random } from './lib/workload.mjs';

/**
 * The request kinds. Each body repeats the same event uuids, so the queue
 * consumer stores them once and skips the repeats with one read per batch:
 * the consumer shares this machine's cores with capture under `wrangler dev`
 * (in production it runs elsewhere), and its cost is measured in part 2.
 */
function kinds(token) {
  const rnd = random(11);
  const body = (events) => JSON.stringify({ api_key: token, batch: events, sent_at: new Date().toISOString() });
  const single = [anonymousEvent(rnd, 'capture-json')];
  const singleGzip = [anonymousEvent(rnd, 'capture-gzip')];
  const hundred = Array.from({ length: 100 }, (_, i) => anonymousEvent(rnd, `capture-batch-${i % 10}`));
  return [
    {
      name: 'single event, JSON',
      path: '/i/v0/e/',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(body(single)),
      events: 1,
    },
    {
      // posthog-js: gzip body, compression in the query, text/plain.
      name: 'single event, gzip',
      path: '/i/v0/e/?compression=gzip-js',
      headers: { 'Content-Type': 'text/plain' },
      body: gzipSync(body(singleGzip)),
      events: 1,
    },
    {
      // posthog-node: POST /batch/ with Content-Encoding: gzip.
      name: '100-event batch, gzip',
      path: '/batch/',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(body(hundred)),
      events: 100,
    },
  ];
}

/** Pause before each round: past the consumer's 1 s batch timeout, so the previous round's messages are consumed. */
const SETTLE_MS = 1_500;
/** Slots of the interleaved load: a slot's first GUARD_MS finish the previous path's requests and are not counted. */
export const SLOT_MS = 300;
export const GUARD_MS = 60;
/** The routes each round takes turns between. */
export const ROUTES = ['capture', 'accept', 'noop'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);

/**
 * One route over all rounds. req/s is pooled: every counted response over all the
 * time counted (rounds with more slots weigh more); latencies are medians of the rounds.
 */
function combine(runs) {
  return {
    ok_per_s: sum(runs.map((r) => r.ok_counted)) / sum(runs.map((r) => r.measured_seconds)),
    p50_ms: median(runs.map((r) => r.latency_ms.p50)),
    p99_ms: median(runs.map((r) => r.latency_ms.p99)),
    requests: sum(runs.map((r) => r.requests)),
    non_200: sum(runs.map((r) => r.non_2xx)),
    status_codes: runs.reduce((acc, r) => {
      for (const [code, n] of Object.entries(r.status_codes)) acc[code] = (acc[code] ?? 0) + n;
      return acc;
    }, {}),
    runs: runs.map((r) => ({
      ok_per_s: r.ok_per_s,
      p50_ms: r.latency_ms.p50,
      p99_ms: r.latency_ms.p99,
      status_codes: r.status_codes,
    })),
  };
}

/** The single-event kinds carry the targets: they run every round; the 100-event batch (a reference) every other. */
const runsInRound = (kind, round) => kind.events === 1 || round % 2 === 0;
/** Rounds of the 100-event batch. */
export const batchRounds = (cfg) => Math.ceil(cfg.captureRounds / 2);

export async function benchCapture(service, project, cfg, log, sampler) {
  sampler?.takePhasePeakMb();
  const all = kinds(project.api_token).map((kind) => ({
    kind,
    paths: {
      capture: kind.path,
      accept: `/_bench/accept?fixture=${encodeURIComponent(`${project.id}:${kind.name}`)}`,
      noop: '/_bench/noop',
    },
    runs: { capture: [], accept: [], noop: [] },
    errors: [],
  }));
  // Warm every route (isolate start-up, token cache, the fixtures, first queue send).
  for (const { kind, paths } of all) {
    for (const path of Object.values(paths)) {
      await autocannonRun({
        url: `${service.baseUrl}${path}`,
        headers: kind.headers,
        body: kind.body,
        connections: 2,
        durationSeconds: 1,
      });
    }
  }
  // The kinds take turns round by round, so each meets the runtime in the same state (its memory
  // grows through the phase, and later rounds run slower). Each round of a kind is one load that
  // takes turns between the three routes every SLOT_MS, so all three meet the same machine load (on
  // this shared machine it swings within seconds, and the runtime thread stops for garbage
  // collections of up to about 140 ms).
  for (let round = 0; round < cfg.captureRounds; round++) {
    for (const entry of all) {
      if (!runsInRound(entry.kind, round)) continue;
      const done = entry.runs.capture.length;
      // Turns go round in a cycle, so a route's turn follows the same route every time: every other
      // round the cycle runs backwards (capture after no-op, then after accept), and it starts at a
      // different route each time.
      const cycle = done % 2 === 0 ? ROUTES : [...ROUTES].reverse();
      const order = cycle.map((_, i) => cycle[(i + Math.floor(done / 2)) % cycle.length]);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const run = await interleavedRun({
        baseUrl: service.baseUrl,
        paths: order.map((name) => entry.paths[name]),
        headers: entry.kind.headers,
        body: entry.kind.body,
        connections: cfg.connections,
        durationSeconds: cfg.captureSeconds * ROUTES.length,
        slotMs: SLOT_MS,
        guardMs: GUARD_MS,
      });
      for (const [i, name] of order.entries()) entry.runs[name].push(run.paths[i]);
      entry.errors.push(run.errors + run.timeouts);
    }
  }
  const runtimePeakMb = sampler?.takePhasePeakMb();
  const results = [];
  for (const { kind, runs, errors } of all) {
    const capture = combine(runs.capture);
    const accept = combine(runs.accept);
    const noop = combine(runs.noop);
    const roundRatios = runs.capture.map((r, i) => r.ok_per_s / runs.accept[i].ok_per_s);
    const row = {
      kind: kind.name,
      events_per_request: kind.events,
      capture,
      accept,
      noop,
      ratio_accept_rps: capture.ok_per_s / accept.ok_per_s,
      ratio_accept_rounds: {
        min: Math.min(...roundRatios),
        median: median(roundRatios),
        max: Math.max(...roundRatios),
      },
      ratio_rps: capture.ok_per_s / noop.ok_per_s,
      ratio_p99: capture.p99_ms / noop.p99_ms,
      load_errors: sum(errors),
      runtime_peak_rss_mb: runtimePeakMb,
    };
    const r = row.ratio_accept_rounds;
    log(
      `  ${kind.name}: capture ${row.capture.ok_per_s.toFixed(0)} req/s (p50 ${capture.p50_ms.toFixed(1)} ms, p99 ${capture.p99_ms.toFixed(1)} ms, non-200 ${capture.non_200}), ` +
        `durable accept ${accept.ok_per_s.toFixed(0)} req/s (p99 ${accept.p99_ms.toFixed(1)} ms): ${(row.ratio_accept_rps * 100).toFixed(0)}% ` +
        `(rounds ${(r.min * 100).toFixed(0)}–${(r.max * 100).toFixed(0)}%); ` +
        `no-op ${noop.ok_per_s.toFixed(0)} req/s (p99 ${noop.p99_ms.toFixed(1)} ms): ${(row.ratio_rps * 100).toFixed(0)}%; ` +
        `connection errors and timeouts ${row.load_errors}; runtime peak ${row.runtime_peak_rss_mb} MB`,
    );
    results.push(row);
  }
  // Everything accepted must reach storage: one row per distinct event uuid sent (the baseline sends the same events).
  const want = 1 + 1 + 100;
  const stored = await waitForQuiet(service.baseUrl, project.id, { quietMs: 2_000, deadlineMs: 60_000 });
  const check = {
    distinct_events_sent: want,
    stored: stored.events,
    warnings: stored.warnings,
    ok: stored.events === want && stored.warnings === 0,
  };
  if (!check.ok)
    log(
      `  WARNING: capture project holds ${JSON.stringify(await counts(service.baseUrl, project.id))}, expected ${want} events`,
    );
  return { kinds: results, stored_check: check };
}
