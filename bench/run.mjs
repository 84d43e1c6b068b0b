#!/usr/bin/env node
// `npm run bench`: capture acceptance, end-to-end ingestion, scaling, merges, shards, queries,
// storage and peak memory, each on a fresh isolated `wrangler dev`, printed as a table and
// written to bench/results/ (JSON) and, for a full-size run, bench/RESULTS.md.
// Sizes can be scaled down for quick runs, e.g. BENCH_EVENTS=5000 npm run bench.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchCapture } from './capture.mjs';
import { benchEndToEnd, benchMerges, benchScaling, benchShards } from './ingestion.mjs';
import { QUERY_KNOBS, benchQuery } from './query.mjs';
import { STORAGE_KNOBS, benchStorage } from './storage.mjs';
import { json } from './lib/http.mjs';
import { markdownReport, spliceQueryReport, targetsOf, textReport } from './lib/report.mjs';
import { spliceStorageReport } from './lib/splice-report.mjs';
import { memorySampler, startService, wranglerVersion } from './lib/service.mjs';

const benchDir = import.meta.dirname;
const int = (name, fallback) => (process.env[name] ? Number.parseInt(process.env[name], 10) : fallback);

/** Every knob, with the env var that overrides it. */
const KNOBS = {
  connections: ['BENCH_CONNECTIONS', 20],
  captureSeconds: ['BENCH_SECONDS', 3],
  captureRounds: ['BENCH_ROUNDS', 10],
  events: ['BENCH_EVENTS', 50_000],
  eventsPerRequest: ['BENCH_EVENTS_PER_REQUEST', 20],
  sendConcurrency: ['BENCH_SEND_CONCURRENCY', 8],
  plainRowsPerRequest: ['BENCH_PLAIN_ROWS_PER_REQUEST', 1_000],
  plainConcurrency: ['BENCH_PLAIN_CONCURRENCY', 2],
  e2eDeadlineSeconds: ['BENCH_E2E_DEADLINE', 90],
  scalingEvents: ['BENCH_SCALING_EVENTS', 5_000],
  scalingLargePersons: ['BENCH_SCALING_PERSONS', 200_000],
  scalingDeadlineSeconds: ['BENCH_SCALING_DEADLINE', 45],
  merges: ['BENCH_MERGES', 2_000],
  mergesDeadlineSeconds: ['BENCH_MERGES_DEADLINE', 30],
  shardEvents: ['BENCH_SHARD_EVENTS', 20_000],
  shardDeadlineSeconds: ['BENCH_SHARD_DEADLINE', 90],
  ...QUERY_KNOBS,
  ...STORAGE_KNOBS,
};
const cfg = Object.fromEntries(Object.entries(KNOBS).map(([key, [env, fallback]]) => [key, int(env, fallback)]));
cfg.scalingPersons = [1_000, cfg.scalingLargePersons];
const only = new Set(
  (process.env.BENCH_ONLY ?? 'capture,e2e,scaling,merges,shards,query,storage').split(',').map((s) => s.trim()),
);
const fullRun =
  Object.values(KNOBS).every(([env]) => !process.env[env]) && !process.env.BENCH_ONLY && !process.env.BENCH_ROOT;
/** One part alone at full size (query or storage): its figures replace its section of RESULTS.md. */
const fullRunOf = (part) =>
  process.env.BENCH_ONLY === part &&
  Object.values(KNOBS).every(([env]) => !process.env[env]) &&
  !process.env.BENCH_ROOT;
const fullQueryRun = fullRunOf('query');
const fullStorageRun = fullRunOf('storage');

const log = (line) => console.log(line);

async function machine(loadBefore) {
  const cpu =
    /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: os.availableParallelism(),
    cpu_model: cpu.trim(),
    memory_gb: os.totalmem() / 1024 ** 3,
    node: process.version,
    wrangler: await wranglerVersion(),
    os: `${os.type()} ${os.release()}`,
    load_before: loadBefore,
    load_after: os.loadavg(),
  };
}

/** Runs one phase on its own fresh service, recording the runtime's peak memory. */
async function onFreshService(name, memory, work, options) {
  log(`\n${name}: starting an isolated wrangler dev…`);
  const service = await startService(options);
  const sampler = memorySampler(service.pid);
  try {
    return await work(service, sampler);
  } catch (error) {
    log(`  ${name} failed: ${error.stack ?? error}\n  last wrangler output:\n${service.recentLog().slice(-3000)}`);
    throw error;
  } finally {
    const peak = sampler.stop();
    memory.phases[name] = peak.runtime_peak_rss_mb;
    memory.runtime_peak_rss_mb = Math.max(memory.runtime_peak_rss_mb, peak.runtime_peak_rss_mb);
    memory.runtime_vmhwm_mb = Math.max(memory.runtime_vmhwm_mb, peak.runtime_vmhwm_mb);
    memory.wrangler_peak_rss_mb = Math.max(memory.wrangler_peak_rss_mb, peak.wrangler_peak_rss_mb);
    await service.stop();
  }
}

const started = performance.now();
const loadBefore = os.loadavg();
const memory = { phases: {}, runtime_peak_rss_mb: 0, runtime_vmhwm_mb: 0, wrangler_peak_rss_mb: 0 };
const results = { command: 'npm run bench', full_run: fullRun, config: cfg, started_at: new Date().toISOString() };
const size = fullRun
  ? 'full size'
  : fullQueryRun || fullStorageRun
    ? `full size, ${process.env.BENCH_ONLY} alone`
    : 'scaled down / partial';
log(`npm run bench (${size}): ${JSON.stringify(cfg)}`);

if (only.has('capture')) {
  results.capture = await onFreshService('capture', memory, async (service, sampler) => {
    const project = await json(`${service.baseUrl}/api/projects/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${service.apiKey}` },
      body: { name: 'bench capture' },
      expect: 201,
    });
    return benchCapture(service, project, cfg, log, sampler);
  });
}
// The ingestion parts log each consumer batch (info level) to time the consumer.
const consumerLogs = { logLevel: 'info' };
if (only.has('e2e'))
  results.ingestion = await onFreshService('end-to-end', memory, (s) => benchEndToEnd(s, cfg, log), consumerLogs);
if (only.has('scaling'))
  results.scaling = await onFreshService('scaling', memory, (s) => benchScaling(s, cfg, log), consumerLogs);
if (only.has('merges'))
  results.merges = await onFreshService('merges', memory, (s) => benchMerges(s, cfg, log), consumerLogs);
if (only.has('shards'))
  results.shards = await onFreshService('shards', memory, (s) => benchShards(s, cfg, log), consumerLogs);
if (only.has('query')) results.query = await onFreshService('query', memory, (s) => benchQuery(s, cfg, log));
if (only.has('storage'))
  results.storage = await onFreshService('storage', memory, (s) => benchStorage(s, cfg, log), consumerLogs);

results.memory = memory;
results.finished_at = new Date().toISOString();
results.total_seconds = (performance.now() - started) / 1000;
results.machine = await machine(loadBefore);
results.targets = targetsOf(results);
results.notes = [
  'Capture bodies repeat their event uuids, so the consumer (which shares the cores under wrangler dev) stores them once and only reads per batch; part 2 measures the consumer.',
  'Each part runs on a fresh `wrangler dev` with its own persistence directory; part 2 runs the plain insert first, then the end-to-end workload, in separate projects.',
  "Part 5 runs both layouts on one fresh `wrangler dev`, one after the other, with fresh projects each; locally every D1 database is a SQLite file in the same workerd process, so the spread shows how much one database's single writer held back, not what separate D1 databases on Cloudflare add.",
  'A run that reaches its deadline reports the rate of what was stored by then, marked incomplete.',
  "Part 7 runs on its own `wrangler dev`: the timed mix in a project alone on SHARD_0 (the file dbstat reads; the floor's table beside it, counted apart), the metered kinds in projects on SHARD_1; the meter is off while the mix and the floor are timed.",
  '"Inside the queue consumer" sums wrangler\'s per-batch consumer times. Under wrangler dev the local queue broker does not accept sends while a consumer batch runs (capture requests wait for it; wrangler.log shows their durations equal to the batch\'s), so capture and consumption take turns instead of overlapping as they do on Cloudflare: the end-to-end rate is about 1 / (1 / capture rate + 1 / consumer rate).',
];

console.log(textReport(results));
console.log(
  `\nTotal ${results.total_seconds.toFixed(0)} s. Load average now ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}.`,
);

const resultsDir = path.join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
const stamp = results.finished_at.replace(/[:.]/g, '-');
writeFileSync(path.join(resultsDir, `${stamp}.json`), JSON.stringify(results, null, 2));
writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify(results, null, 2));
console.log(`Wrote bench/results/${stamp}.json and bench/results/latest.json`);
if (fullRun) {
  writeFileSync(path.join(benchDir, 'RESULTS.md'), markdownReport(results));
  console.log('Wrote bench/RESULTS.md');
} else if (fullQueryRun) {
  const file = path.join(benchDir, 'RESULTS.md');
  writeFileSync(file, spliceQueryReport(readFileSync(file, 'utf8'), results));
  console.log('Wrote section 6 of bench/RESULTS.md');
} else if (fullStorageRun) {
  const file = path.join(benchDir, 'RESULTS.md');
  writeFileSync(file, spliceStorageReport(readFileSync(file, 'utf8'), results));
  console.log('Wrote section 7 of bench/RESULTS.md');
}
