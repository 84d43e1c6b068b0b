// 7. Storage (issue #27's instrument): a posthog-js-shaped mix through capture, then
// - the shard's bytes per stored event, all in and per table and index (SQLite's dbstat);
// - the storage floor beside the end-to-end rate: the same stored rows, `json_each` INSERTs of
//   2,000 rows into a plain table of today's layout, through the same local D1, same run;
// - D1 rows written (and read, queue operations, …) per event by kind, metered in small
//   ingests of each kind on the other shard;
// - what a million events cost at Cloudflare's list prices.
import { ingest } from './ingestion.mjs';
import { cpuSecondsBetween, runtimeCpu } from './lib/cpu.mjs';
import { shardDbstat } from './lib/dbstat.mjs';
import { json, request } from './lib/http.mjs';
import { POSTHOG_JS_SHARES, expectedOf, posthogJsMix } from './lib/posthog-js-mix.mjs';
import { dollarsPerMillionEvents } from './lib/prices.mjs';
import { floorStatements, perEventUse, storageBreakdown, weightedUse } from './lib/storage-figures.mjs';

export const STORAGE_KNOBS = {
  storageEvents: ['BENCH_STORAGE_EVENTS', 20_000],
  storageKindEvents: ['BENCH_STORAGE_KIND_EVENTS', 2_000],
  storageMerges: ['BENCH_STORAGE_MERGES', 500],
  storageDeadlineSeconds: ['BENCH_STORAGE_DEADLINE', 120],
};

const average = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** The mix's browsers and users in proportion to its size (about 2.3 events per visitor, 10 per user). */
function mixOf(count, project, { seed, shares = POSTHOG_JS_SHARES, userPrefix } = {}) {
  return posthogJsMix(count, {
    seed,
    startMs: Date.now() - 3_600_000,
    visitors: Math.max(1, Math.round((count * shares.personless * 3) / 7)),
    users: Math.max(1, Math.round((count * shares.identified) / 10)),
    shares,
    userPrefix,
    token: project.api_token,
  });
}

const projectOnShard = (service, name, shard) =>
  json(`${service.baseUrl}/_bench/project`, { method: 'POST', body: { name, shard }, expect: 201 });

/** The stored rows of the project, in key order, as the floor takes them. */
async function storedRows(service, projectId) {
  const rows = [];
  for (;;) {
    const after = rows.length ? rows[rows.length - 1][0] : '';
    const page = await json(
      `${service.baseUrl}/_bench/event-rows?project_id=${projectId}&limit=5000&after=${encodeURIComponent(after)}`,
    );
    if (page.rows.length === 0) return rows;
    rows.push(...page.rows);
  }
}

/**
 * The floor: the same rows into a fresh `events_floor`, one `json_each` statement per request,
 * one request at a time; its rate counts D1's time for the statements (the route's answer), not
 * the bench's HTTP and JSON around them.
 */
async function storageFloor(service, projectId, rows) {
  await json(`${service.baseUrl}/_bench/floor-table`, { method: 'POST', body: { project_id: projectId }, expect: 201 });
  const statements = floorStatements(rows);
  const bodies = statements.map((part) => JSON.stringify({ project_id: projectId, rows: part }));
  const cpuBefore = runtimeCpu(service.pid);
  const startedAt = performance.now();
  let d1Ms = 0;
  for (const body of bodies) {
    const res = await request(`${service.baseUrl}/_bench/floor-insert`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    if (res.status !== 200) throw new Error(`floor insert → ${res.status}: ${res.text.slice(0, 300)}`);
    d1Ms += JSON.parse(res.text).d1_ms;
  }
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const cpuSeconds = cpuSecondsBetween(cpuBefore, runtimeCpu(service.pid));
  return {
    rows: rows.length,
    seconds: d1Ms / 1000,
    rows_per_s: rows.length / (d1Ms / 1000),
    wall_seconds: wallSeconds,
    statements: statements.length,
    rows_per_statement: rows.length / statements.length,
    cpu_ms_per_row: (cpuSeconds * 1000) / rows.length,
  };
}

/** The share of each kind's stream ingested before the meter starts. */
const WARM_UP_SHARE = 0.3;

/**
 * One kind of event alone, in a project of its own on SHARD_1: the first 30% of its stream
 * unmetered (the project learns its property names, most users get their person), then the
 * rest metered: what an event costs a project in steady state.
 */
async function meteredKind(service, { kind, share, setup, events, expected }, cfg) {
  const project = await projectOnShard(service, `bench storage ${kind}`, 1);
  if (setup) await setup(project);
  const stream = events(project).events;
  const warm = stream.slice(0, Math.round(stream.length * WARM_UP_SHARE));
  const ingestCfg = { ...cfg, deadlineMs: cfg.storageDeadlineSeconds * 1000 };
  await ingest(service, project, warm, expected(expectedOf(warm)), ingestCfg);
  const started = await json(`${service.baseUrl}/_bench/meter`, { method: 'POST', body: { on: true } });
  const run = await ingest(service, project, stream.slice(warm.length), expected(expectedOf(stream)), ingestCfg);
  const reading = await json(`${service.baseUrl}/_bench/meter`, { method: 'POST', body: { on: false } });
  if (reading.isolate !== started.isolate)
    throw new Error(
      `wrangler reloaded the Worker while ${kind} events were metered (a watched file changed), losing the counts: run again, or from a copy (BENCH_ROOT)`,
    );
  const stored = Math.max(0, Math.min(stream.length, run.counts.events) - warm.length);
  const use = perEventUse(reading, stored, run.requests);
  return { kind, share, complete: run.complete, warm_up_events: warm.length, use, reading };
}

/** Each kind alone, metered: person-less, identified with `$set`, and merges. */
async function meteredKinds(service, cfg, log) {
  const n = cfg.storageKindEvents;
  const kinds = [
    {
      kind: 'person-less',
      share: POSTHOG_JS_SHARES.personless,
      events: (p) => mixOf(n, p, { seed: 271, shares: { personless: 1, identified: 0 } }),
      expected: (x) => ({ events: x.events }),
    },
    {
      kind: 'identified with $set',
      share: POSTHOG_JS_SHARES.identified,
      events: (p) => mixOf(n, p, { seed: 272, shares: { personless: 0, identified: 1 } }),
      expected: (x) => ({ events: x.events, persons: x.persons }),
    },
    {
      // $identify of a new browser into an existing identified user: its anonymous id joins the person.
      kind: '$identify (merge)',
      share: 1 - POSTHOG_JS_SHARES.personless - POSTHOG_JS_SHARES.identified,
      setup: (p) =>
        json(`${service.baseUrl}/_bench/seed-persons`, {
          method: 'POST',
          body: { project_id: p.id, count: cfg.storageMerges, prefix: 'user_', identified: true },
        }),
      events: (p) =>
        posthogJsMix(cfg.storageMerges, {
          seed: 273,
          startMs: Date.now() - 3_600_000,
          visitors: 1,
          users: cfg.storageMerges,
          shares: { personless: 0, identified: 0 },
          token: p.api_token,
        }),
      expected: (x) => ({ events: x.events, merges: x.merges }),
    },
  ];
  const out = [];
  for (const spec of kinds) {
    const k = await meteredKind(service, spec, cfg);
    log(
      `  ${k.kind}: ${k.use.events} events, ${k.use.rowsWritten.toFixed(2)} D1 rows written and ${k.use.rowsRead.toFixed(1)} read per event${k.complete ? '' : ' (INCOMPLETE)'}`,
    );
    out.push(k);
  }
  return out;
}

export async function benchStorage(service, cfg, log) {
  const project = await projectOnShard(service, 'bench storage', 0);
  const mix = mixOf(cfg.storageEvents, project, { seed: 27 });
  const sizes = mix.events.map((e) => JSON.stringify(e).length);
  const isolateOf = async () => (await json(`${service.baseUrl}/_bench/meter`)).isolate;
  const isolateBefore = await isolateOf();
  const cpuBefore = runtimeCpu(service.pid);
  const e2e = await ingest(service, project, mix.events, mix.expected, {
    ...cfg,
    deadlineMs: cfg.storageDeadlineSeconds * 1000,
  });
  const cpuSeconds = cpuSecondsBetween(cpuBefore, runtimeCpu(service.pid));
  e2e.cpu_ms_per_event = (cpuSeconds * 1000) / Math.max(1, e2e.stored_events);
  if (Number.isNaN(cpuSeconds)) log('  wrangler restarted the runtime during the run: its CPU time is unknown');
  e2e.reloaded = (await isolateOf()) !== isolateBefore;
  if (e2e.reloaded)
    log('  wrangler reloaded the Worker during the timed run (a watched file changed): its rate is not comparable');
  log(
    `  end-to-end: ${e2e.stored_events}/${e2e.events} posthog-js-shaped events in ${e2e.seconds.toFixed(1)} s = ${e2e.events_per_s.toFixed(0)} events/s${e2e.complete ? '' : ' (INCOMPLETE)'}`,
  );

  const stored = await json(`${service.baseUrl}/_bench/storage?project_id=${project.id}`);
  const floor = await storageFloor(service, project.id, await storedRows(service, project.id));
  log(`  storage floor: ${floor.rows} rows in ${floor.seconds.toFixed(2)} s = ${floor.rows_per_s.toFixed(0)} rows/s`);
  const stat = await shardDbstat(service.persistDir, project.id);
  const breakdown = storageBreakdown(stat, stored.rows.events);
  log(`  ${breakdown.bytes_per_event.toFixed(0)} bytes per stored event, all in (dbstat)`);

  const kinds = await meteredKinds(service, cfg, log);
  const use = weightedUse(kinds);
  const costs = dollarsPerMillionEvents({
    workerRequests: use.captureRequests + use.consumerInvocations,
    cpuMs: e2e.cpu_ms_per_event,
    queueChunks: use.queueChunks,
    rowsWritten: use.rowsWritten,
    rowsRead: use.rowsRead,
    personObjectCalls: use.personObjectCalls,
    storedBytes: breakdown.bytes_per_event,
  });
  return {
    mix: {
      events: mix.events.length,
      kinds: mix.kinds,
      json_bytes_per_event: average(sizes),
      properties_per_event: average(mix.events.map((e) => Object.keys(e.properties).length)),
      stored_properties_bytes_per_event: stored.properties_bytes / Math.max(1, stored.rows.events),
    },
    stored,
    end_to_end: e2e,
    floor,
    ratio_to_floor: e2e.events_per_s / floor.rows_per_s,
    dbstat: stat,
    breakdown,
    kinds,
    mix_use: use,
    costs,
  };
}
