// 1. Capture acceptance: requests/s and latency of the capture routes, each run
// alternately with two bench routes of the same Worker (same body, same headers)
// so all see the same machine load: the durable-accept baseline (sends one fixed
// message to the same queue: the message capture builds for the same body, built
// once, so both hand the queue the same bytes; the floor for anything that durably
// accepts this event) and, for reference, the no-op route (the runtime's own limit).
import { gzipSync } from 'node:zlib';
import { autocannonRun } from './lib/load.mjs';
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

/** Pause before each measured run: past the consumer's 1 s batch timeout, so the previous run's messages are consumed. */
const SETTLE_MS = 1_500;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The median of autocannon runs of one route (the machine is shared: one noisy round should not decide). */
function combine(runs) {
  return {
    ok_per_s: median(runs.map((r) => r.ok_per_s)),
    p50_ms: median(runs.map((r) => r.latency_ms.p50)),
    p99_ms: median(runs.map((r) => r.latency_ms.p99)),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    non_200: runs.reduce((a, r) => a + r.non_2xx + r.errors + r.timeouts, 0),
    status_codes: runs.reduce((acc, r) => {
      for (const [code, n] of Object.entries(r.status_codes)) acc[code] = (acc[code] ?? 0) + n;
      return acc;
    }, {}),
    runs: runs.map((r) => ({ ok_per_s: r.ok_per_s, p50_ms: r.latency_ms.p50, p99_ms: r.latency_ms.p99, status_codes: r.status_codes })),
  };
}

export async function benchCapture(service, project, cfg, log, sampler) {
  const results = [];
  for (const kind of kinds(project.api_token)) {
    sampler?.takePhasePeakMb();
    const run = (path) =>
      autocannonRun({
        url: `${service.baseUrl}${path}`,
        headers: kind.headers,
        body: kind.body,
        connections: cfg.connections,
        durationSeconds: cfg.captureSeconds,
      });
    // Warm both routes (isolate start-up, token cache, first queue send).
    await autocannonRun({ url: `${service.baseUrl}${kind.path}`, headers: kind.headers, body: kind.body, connections: 2, durationSeconds: 1 });
    const acceptPath = `/_bench/accept?fixture=${encodeURIComponent(`${project.id}:${kind.name}`)}`;
    await autocannonRun({ url: `${service.baseUrl}${acceptPath}`, headers: kind.headers, body: kind.body, connections: 2, durationSeconds: 1 });
    const noopRuns = [];
    const acceptRuns = [];
    const captureRuns = [];
    // Capture and the baseline both fill the queue, whose consumer shares these cores (and, under
    // wrangler dev, holds up sends while a batch runs): each run starts after the last one's messages
    // had time to drain, and the two swap order every round so neither always inherits the other's backlog.
    const settled = async (path) => {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      return run(path);
    };
    for (let round = 0; round < cfg.captureRounds; round++) {
      // The no-op route is only a reference: every other round.
      if (round % 2 === 0) noopRuns.push(await settled('/_bench/noop'));
      if (round % 2 === 0) {
        acceptRuns.push(await settled(acceptPath));
        captureRuns.push(await settled(kind.path));
      } else {
        captureRuns.push(await settled(kind.path));
        acceptRuns.push(await settled(acceptPath));
      }
    }
    const noop = combine(noopRuns);
    const accept = combine(acceptRuns);
    const capture = combine(captureRuns);
    const row = {
      kind: kind.name,
      events_per_request: kind.events,
      capture,
      accept,
      noop,
      // Paired: each capture run against the baseline run beside it in the same round (the machine's
      // load drifts between rounds), the median over the rounds.
      ratio_accept_rps: median(captureRuns.map((r, i) => r.ok_per_s / acceptRuns[i].ok_per_s)),
      ratio_accept_of_medians: capture.ok_per_s / accept.ok_per_s,
      ratio_rps: capture.ok_per_s / noop.ok_per_s,
      ratio_p99: capture.p99_ms / noop.p99_ms,
      runtime_peak_rss_mb: sampler?.takePhasePeakMb(),
    };
    log(
      `  ${kind.name}: capture ${row.capture.ok_per_s.toFixed(0)} req/s (p50 ${capture.p50_ms} ms, p99 ${capture.p99_ms} ms, non-200 ${capture.non_200}), ` +
        `durable accept ${accept.ok_per_s.toFixed(0)} req/s (p99 ${accept.p99_ms} ms): ${(row.ratio_accept_rps * 100).toFixed(0)}%; ` +
        `no-op ${noop.ok_per_s.toFixed(0)} req/s (p99 ${noop.p99_ms} ms): ${(row.ratio_rps * 100).toFixed(0)}%; runtime peak ${row.runtime_peak_rss_mb} MB`,
    );
    results.push(row);
  }
  // Everything accepted must reach storage: one row per distinct event uuid sent (the baseline sends the same events).
  const want = 1 + 1 + 100;
  const stored = await waitForQuiet(service.baseUrl, project.id, { quietMs: 2_000, deadlineMs: 60_000 });
  const check = { distinct_events_sent: want, stored: stored.events, warnings: stored.warnings, ok: stored.events === want && stored.warnings === 0 };
  if (!check.ok) log(`  WARNING: capture project holds ${JSON.stringify(await counts(service.baseUrl, project.id))}, expected ${want} events`);
  return { kinds: results, stored_check: check };
}
