// 2–4. Ingestion through the queue consumer and person objects, timed from the
// first capture request until the project holds every event, person, distinct
// id and merge record the workload must produce.
import { randomUUID } from 'node:crypto';
import { json, postAll } from './lib/http.mjs';
import { waitForCounts } from './lib/progress.mjs';
import { batchBodies, identifyEvent, mixedEvents, random } from './lib/workload.mjs';

const pct = (x) => `${Math.round(x * 100)}%`;
const GZIP_HEADERS = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };

async function newProject(service, name) {
  return json(`${service.baseUrl}/api/projects/`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${service.apiKey}` },
    body: { name },
    expect: 201,
  });
}

async function seedPersons(service, projectId, body) {
  return json(`${service.baseUrl}/_bench/seed-persons`, { method: 'POST', body: { project_id: projectId, ...body } });
}

/**
 * Sends `events` as `{api_key, batch}` gzip bodies to /batch/ (retrying non-200
 * like an SDK) and waits for `want`. Rate and cost count the events that were
 * stored by the end, so a run cut short by its deadline still reports a rate.
 */
export async function ingest(service, project, events, want, cfg) {
  const bodies = batchBodies(project.api_token, events, cfg.eventsPerRequest);
  const batchesBefore = service.queueBatches().length;
  const startedAt = performance.now();
  const [sent, waited] = await Promise.all([
    postAll(`${service.baseUrl}/batch/`, bodies, { concurrency: cfg.sendConcurrency, headers: GZIP_HEADERS }),
    waitForCounts(service.baseUrl, project.id, want, { startedAt, deadlineMs: cfg.deadlineMs }),
  ]);
  const stored = Math.min(waited.counts.events, events.length);
  // The data is visible before the consumer's batch returns and wrangler logs it: wait for the
  // log lines of every message sent (one per request), so no batch's time is left out.
  const batches = await loggedBatches(service, batchesBefore, sent.requests);
  const consumer = consumerTime(batches, stored, waited.ms);
  return {
    events: events.length,
    complete: waited.done,
    seconds: waited.ms / 1000,
    stored_events: stored,
    events_per_s: stored / (waited.ms / 1000),
    ms_per_event: waited.ms / Math.max(1, stored),
    requests: sent.requests,
    events_per_request: cfg.eventsPerRequest,
    retried_requests: sent.retries,
    statuses: sent.statuses,
    send_seconds: sent.sendMs / 1000,
    counts: waited.counts,
    expected: want,
    consumer,
    /** [seconds, events stored] about once a second. */
    timeline: waited.timeline,
  };
}

/** The consumer batches logged since `from`, once they hold `messages` messages (or after 10 s). */
async function loggedBatches(service, from, messages) {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const batches = service.queueBatches().slice(from);
    if (batches.reduce((a, b) => a + b.acked, 0) >= messages || performance.now() > deadline) return batches;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Time spent inside the queue consumer (wrangler's per-batch log lines): its own
 * rate while busy, and how much of the run it was busy at all.
 */
function consumerTime(batches, storedEvents, elapsedMs) {
  const busyMs = batches.reduce((a, b) => a + b.ms, 0);
  return {
    batches: batches.length,
    messages: batches.reduce((a, b) => a + b.messages, 0),
    retried_messages: batches.reduce((a, b) => a + b.messages - b.acked, 0),
    busy_seconds: busyMs / 1000,
    busy_share: busyMs / elapsedMs,
    events_per_busy_s: busyMs > 0 ? storedEvents / (busyMs / 1000) : undefined,
    batch_ms: { median: median(batches.map((b) => b.ms)), max: Math.max(0, ...batches.map((b) => b.ms)) },
  };
}

function median(xs) {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The storage limit: the same event rows, plain INSERTs in 100-row D1 batches. */
async function plainInsert(service, project, events, cfg) {
  const rows = events.map((e) => ({
    project_id: project.id,
    uuid: e.uuid,
    event: e.event,
    distinct_id: e.properties.distinct_id,
    person_id_at_ingest: randomUUID(),
    properties: e.properties,
    timestamp: e.timestamp,
  }));
  const bodies = [];
  for (let i = 0; i < rows.length; i += cfg.plainRowsPerRequest) {
    bodies.push(JSON.stringify({ rows: rows.slice(i, i + cfg.plainRowsPerRequest) }));
  }
  const startedAt = performance.now();
  const sent = await postAll(`${service.baseUrl}/_bench/plain-insert`, bodies, {
    concurrency: cfg.plainConcurrency,
    headers: { 'Content-Type': 'application/json' },
  });
  const seconds = (performance.now() - startedAt) / 1000;
  return {
    rows: rows.length,
    seconds,
    rows_per_s: rows.length / seconds,
    rows_per_request: cfg.plainRowsPerRequest,
    statuses: sent.statuses,
  };
}

/** 2. End-to-end ingestion of the realistic mix, and the plain-insert limit beside it. */
export async function benchEndToEnd(service, cfg, log) {
  const workload = mixedEvents(cfg.events, {
    seed: 7,
    users: Math.max(100, Math.round(cfg.events / 10)),
    anons: Math.round(cfg.events / 5),
    tag: 'e2e',
  });
  const plainProject = await newProject(service, 'bench plain insert');
  const plain = await plainInsert(service, plainProject, workload.events, cfg);
  log(`  plain D1 insert: ${plain.rows} rows in ${plain.seconds.toFixed(1)} s = ${plain.rows_per_s.toFixed(0)} rows/s`);

  const project = await newProject(service, 'bench end-to-end');
  const { expected } = workload;
  const e2e = await ingest(
    service,
    project,
    workload.events,
    {
      events: expected.events,
      persons: expected.newPersons,
      distinct_ids: expected.newDistinctIds,
      merges: expected.merges,
    },
    { ...cfg, deadlineMs: cfg.e2eDeadlineSeconds * 1000 },
  );
  log(
    `  end-to-end: ${e2e.stored_events}/${e2e.events} events in ${e2e.seconds.toFixed(1)} s = ${e2e.events_per_s.toFixed(0)} events/s` +
      `${e2e.complete ? '' : ' (deadline reached: INCOMPLETE)'}; retried requests ${e2e.retried_requests}; ` +
      `consumer busy ${e2e.consumer.busy_seconds.toFixed(1)} s in ${e2e.consumer.batches} batches (${pct(e2e.consumer.busy_share)} of the run) = ${e2e.consumer.events_per_busy_s?.toFixed(0)} events per busy second`,
  );
  return {
    mix: workload.mix,
    end_to_end: e2e,
    plain_insert: plain,
    ratio_to_plain_insert: e2e.events_per_s / plain.rows_per_s,
  };
}

/** 3. The same workload against 1,000 and against 200,000 existing persons. */
export async function benchScaling(service, cfg, log) {
  const runs = [];
  for (const persons of cfg.scalingPersons) {
    const project = await newProject(service, `bench scaling ${persons}`);
    const seeded = await seedPersons(service, project.id, { count: persons, prefix: 'seed-', identified: true });
    // Identical workload each time: its identified users are seeded persons 0..999.
    const workload = mixedEvents(cfg.scalingEvents, {
      seed: 21,
      users: Math.min(1_000, persons),
      userPrefix: 'seed-',
      anons: 2_000,
      tag: 'scale',
    });
    const { expected } = workload;
    const run = await ingest(
      service,
      project,
      workload.events,
      { events: expected.events, persons, distinct_ids: persons + expected.merges, merges: expected.merges },
      { ...cfg, deadlineMs: cfg.scalingDeadlineSeconds * 1000 },
    );
    log(
      `  ${persons} persons (seeded in ${(seeded.ms / 1000).toFixed(1)} s): ${run.stored_events}/${run.events} events, ` +
        `${run.ms_per_event.toFixed(3)} ms/event${run.complete ? '' : ' (INCOMPLETE)'}`,
    );
    runs.push({ existing_persons: persons, seed_seconds: seeded.ms / 1000, ...run });
  }
  const [small, large] = runs;
  return { runs, cost_ratio: large.ms_per_event / small.ms_per_event };
}

/** 4. Every event merges two existing persons: anonymous `manon-k` into identified `muser-k`. */
export async function benchMerges(service, cfg, log) {
  const project = await newProject(service, 'bench merges');
  const n = cfg.merges;
  await seedPersons(service, project.id, { count: n, prefix: 'manon-', identified: false });
  await seedPersons(service, project.id, { count: n, prefix: 'muser-', identified: true });
  const rnd = random(31);
  const events = Array.from({ length: n }, (_, k) => identifyEvent(rnd, `muser-${k}`, `manon-${k}`));
  const run = await ingest(
    service,
    project,
    events,
    { events: n, merges: n, distinct_ids: 2 * n },
    { ...cfg, deadlineMs: cfg.mergesDeadlineSeconds * 1000 },
  );
  const mergesPerS = run.counts.merges / run.seconds;
  log(
    `  merges: ${run.counts.merges}/${n} in ${run.seconds.toFixed(1)} s = ${mergesPerS.toFixed(0)} merges/s${run.complete ? '' : ' (INCOMPLETE)'}`,
  );
  return { ...run, merges_done: run.counts.merges, merges_per_s: mergesPerS };
}

/**
 * 5. Shards: the same four projects' workloads ingested at once, first with all
 * four projects on one D1 shard, then spread over two (two each). Each layout
 * gets fresh projects; the workloads are identical (same seeds).
 */
export async function benchShards(service, cfg, log) {
  const perProject = Math.max(100, Math.round(cfg.shardEvents / 4));
  const workloads = [0, 1, 2, 3].map((i) =>
    mixedEvents(perProject, {
      seed: 41 + i,
      users: Math.max(50, Math.round(perProject / 10)),
      anons: Math.round(perProject / 5),
      tag: `shards-${i}`,
    }),
  );
  const layouts = [
    { name: '4 projects on 1 shard', shards: [0, 0, 0, 0] },
    { name: '4 projects over 2 shards', shards: [0, 1, 0, 1] },
  ];
  const runs = [];
  for (const layout of layouts) {
    const projects = [];
    for (const [i, shard] of layout.shards.entries()) {
      projects.push(
        await json(`${service.baseUrl}/_bench/project`, {
          method: 'POST',
          body: { name: `bench ${layout.name} #${i}`, shard },
          expect: 201,
        }),
      );
    }
    // The same total concurrency as part 2, shared by the four projects.
    const perProjectCfg = {
      ...cfg,
      sendConcurrency: Math.max(1, Math.round(cfg.sendConcurrency / 4)),
      deadlineMs: cfg.shardDeadlineSeconds * 1000,
    };
    const startedAt = performance.now();
    const results = await Promise.all(
      projects.map((project, i) => {
        const { expected } = workloads[i];
        return ingest(
          service,
          project,
          workloads[i].events,
          {
            events: expected.events,
            persons: expected.newPersons,
            distinct_ids: expected.newDistinctIds,
            merges: expected.merges,
          },
          perProjectCfg,
        );
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    const stored = results.reduce((a, r) => a + r.stored_events, 0);
    const run = {
      layout: layout.name,
      shards: layout.shards,
      events: results.reduce((a, r) => a + r.events, 0),
      stored_events: stored,
      complete: results.every((r) => r.complete),
      seconds,
      events_per_s: stored / seconds,
      projects: results.map((r, i) => ({
        shard: layout.shards[i],
        seconds: r.seconds,
        events_per_s: r.events_per_s,
        complete: r.complete,
      })),
    };
    log(
      `  ${layout.name}: ${run.stored_events}/${run.events} events in ${seconds.toFixed(1)} s = ${run.events_per_s.toFixed(0)} events/s${run.complete ? '' : ' (INCOMPLETE)'}`,
    );
    runs.push(run);
  }
  const [one, two] = runs;
  return { runs, ratio: two.events_per_s / one.events_per_s };
}
