import { Hono } from 'hono';
import { z } from 'zod';
import { dbOf } from '../src/db/client';
import { createProject } from '../src/db/projects';
import { projectDatabase, rememberProjectShard, shardDatabases } from '../src/db/shards';
import type { AppEnv } from '../src/env';
import { captureHandOver } from '../src/capture/capture';
import { enqueue } from '../src/capture/enqueue';
import { badRequest, jsonOf } from './route-helpers';
import { storageRoutes } from './storage-routes';

/**
 * Bench-only routes under /_bench, served only by the bench entry (bench/worker.ts) that
 * `npm run bench` starts; the production Worker (src/index.ts) has none of them. They write to
 * any project without a key.
 */
export const benchRoutes = new Hono<AppEnv>({ strict: false }).basePath('/_bench');

benchRoutes.notFound((c) =>
  c.json(
    {
      type: 'invalid_request',
      code: 'not_found',
      detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`,
    },
    404,
  ),
);

benchRoutes.route('/', storageRoutes);

/** The runtime's limit: read the body, answer like capture, do nothing else. */
benchRoutes.post('/noop', async (c) => {
  await c.req.arrayBuffer();
  return c.json({ status: 1 }, 200);
});

const AcceptQuery = z.object({ fixture: z.string().min(1).max(100) });
const acceptFixtures = new Map<string, Awaited<ReturnType<typeof captureHandOver>>>();

/**
 * The durable-accept baseline: read the body, send one fixed message to the same
 * queue capture uses (the same `enqueue`), answer like capture. The fixed
 * message is the one capture builds for the benchmark's event (built once, on
 * the first request of each `fixture`), so both routes hand the queue the same
 * bytes and capture's own work is everything it does beyond this. Its events
 * are the benchmark's own, so the consumer stores them once.
 */
benchRoutes.post('/accept', async (c) => {
  const parsed = AcceptQuery.safeParse(c.req.query());
  if (!parsed.success) return badRequest(c, parsed.error);
  let fixture = acceptFixtures.get(parsed.data.fixture);
  if (!fixture) {
    fixture = await captureHandOver(c.req.raw, c.env);
    acceptFixtures.set(parsed.data.fixture, fixture);
  } else {
    await c.req.arrayBuffer();
  }
  await enqueue(fixture.queue, fixture.db, fixture.projectId, fixture.handOver);
  return c.json({ status: 1 }, 200);
});

const ProjectOnShardBody = z.object({ name: z.string().min(1).max(200), shard: z.number().int().min(0) });

/** A project on a chosen shard (the REST API places new projects on the emptiest one). */
benchRoutes.post('/project', async (c) => {
  const parsed = ProjectOnShardBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const { name, shard } = parsed.data;
  if (shard >= shardDatabases(c.env).length)
    return c.json({ type: 'validation_error', code: 'invalid_input', detail: `no SHARD_${shard}`, attr: 'shard' }, 400);
  const project = await createProject(dbOf(c.env.DB), name, shard);
  rememberProjectShard(project.id, project.shard);
  return c.json({ id: project.id, name: project.name, api_token: project.apiToken, shard: project.shard }, 201);
});

const EventRow = z.object({
  project_id: z.number().int().positive(),
  uuid: z.string().min(1),
  event: z.string().min(1),
  distinct_id: z.string().min(1),
  person_id_at_ingest: z.string().min(1),
  properties: z.record(z.string(), z.unknown()),
  timestamp: z.string().min(1),
});
const PlainInsertBody = z.object({ rows: z.array(EventRow).min(1).max(10_000) });
const ROWS_PER_BATCH = 100;

/** The storage limit: the rows into `events`, one plain INSERT per row, 100 per D1 batch. */
benchRoutes.post('/plain-insert', async (c) => {
  const parsed = PlainInsertBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const { rows } = parsed.data;
  // Into the shard of the first row's project, where ingestion would write them.
  const db = await projectDatabase(c.env, rows[0]!.project_id);
  const insert = db.prepare(
    'INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  for (let i = 0; i < rows.length; i += ROWS_PER_BATCH) {
    await db.batch(
      rows
        .slice(i, i + ROWS_PER_BATCH)
        .map((r) =>
          insert.bind(
            r.project_id,
            r.uuid,
            r.event,
            r.distinct_id,
            r.person_id_at_ingest,
            JSON.stringify(r.properties),
            r.timestamp,
          ),
        ),
    );
  }
  return c.json({ inserted: rows.length }, 200);
});

const SeedPersonsBody = z.object({
  project_id: z.number().int().positive(),
  count: z.number().int().positive().max(1_000_000),
  /** Seeded person n owns distinct id `${prefix}${n}`, n = start .. start + count - 1. */
  prefix: z.string().min(1).max(50).default('seed-'),
  start: z.number().int().min(0).default(0),
  identified: z.boolean().default(false),
});

/**
 * Bulk persons for the scaling and merge benchmarks, generated inside SQLite.
 * Person n gets uuid `<project hex>-<prefix tag>-4000-8000-<n>` (unique per
 * project, prefix and n) and one distinct id.
 */
benchRoutes.post('/seed-persons', async (c) => {
  const parsed = SeedPersonsBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const { project_id: projectId, count, prefix, start, identified } = parsed.data;
  const tag = (await sha1Hex(prefix)).slice(0, 4);
  const seq = `WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?1 + ?2 - 1)`;
  const personId = `printf('%08x-%s-4000-8000-%012d', ?3, ?4, n)`;
  const started = Date.now();
  const db = await projectDatabase(c.env, projectId);
  await db.batch([
    db
      .prepare(
        `${seq} INSERT INTO persons (id, project_id, properties, is_identified, created_at, version)
       SELECT ${personId}, ?3, json_object('email', ?5 || n || '@example.com', 'plan', 'free', '$creator_event_uuid', 'seed'),
              ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 0 FROM seq`,
      )
      .bind(start, count, projectId, tag, prefix, identified ? 1 : 0),
    db
      .prepare(
        `${seq} INSERT INTO person_distinct_ids (project_id, distinct_id, person_id) SELECT ?3, ?5 || n, ${personId} FROM seq`,
      )
      .bind(start, count, projectId, tag, prefix),
  ]);
  return c.json({ seeded: count, ms: Date.now() - started }, 200);
});

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const CountsQuery = z.object({ project_id: z.coerce.number().int().positive() });

/** What a project holds now, to poll for the end of an ingestion run. */
benchRoutes.get('/counts', async (c) => {
  const parsed = CountsQuery.safeParse(c.req.query());
  if (!parsed.success) return badRequest(c, parsed.error);
  const id = parsed.data.project_id;
  const db = await projectDatabase(c.env, id);
  const count = (table: string) => db.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`).bind(id);
  const results = await db.batch<{ n: number }>([
    count('events'),
    count('persons'),
    count('person_distinct_ids'),
    count('person_merges'),
    count('ingestion_warnings'),
  ]);
  const [events, persons, distinctIds, merges, warnings] = results.map((r) => r.results[0]?.n ?? 0);
  return c.json({ events, persons, distinct_ids: distinctIds, merges, warnings }, 200);
});

const QueryWorldBody = z.object({
  project_id: z.number().int().positive(),
  persons: z.number().int().positive().max(1_000_000),
  /** Events n = start .. start + count - 1 (call in chunks). */
  start: z.number().int().min(0).default(0),
  count: z.number().int().min(0).max(500_000).default(0),
  /** Seconds since the epoch of the first possible event; events spread over `days`. */
  epoch: z.number().int().positive(),
  days: z.number().int().positive().max(3_650),
  with_persons: z.boolean().default(false),
});

/**
 * The query benchmark's world, generated inside SQLite (bench/query.mjs).
 * Person k owns `u-k`; 30% of persons also own `a-k`, a merged-away anonymous
 * id whose events were stored with the anonymous person's id; 2% of events are
 * person-less (`pl-j`, owned by nobody). Event n's fields are hashes of n, so
 * two runs hold the same data. D1 binds JavaScript numbers as REAL, so the
 * integers that name ids are cast: `'u-' || 5.0` would be `u-5.0`, an id no
 * person owns.
 */
benchRoutes.post('/seed-query-world', async (c) => {
  const parsed = QueryWorldBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const b = parsed.data;
  const started = Date.now();
  const db = await projectDatabase(c.env, b.project_id);
  const statements: D1PreparedStatement[] = [];
  if (b.with_persons) {
    const seq = 'WITH RECURSIVE seq(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM seq WHERE k < ?2 - 1)';
    const personId = "printf('%08x-0001-4000-8000-%012d', ?1, k)";
    statements.push(
      db
        .prepare(
          `${seq} INSERT OR IGNORE INTO persons (id, project_id, properties, is_identified, created_at, version)
         SELECT ${personId}, ?1, json_object('plan', CASE k % 3 WHEN 0 THEN 'free' WHEN 1 THEN 'pro' ELSE 'team' END, 'email', 'u' || k || '@example.com'),
           1, '2024-01-01T00:00:00.000Z', 0 FROM seq`,
        )
        .bind(b.project_id, b.persons),
      db
        .prepare(
          `${seq} INSERT OR IGNORE INTO person_distinct_ids (project_id, distinct_id, person_id) SELECT ?1, 'u-' || k, ${personId} FROM seq`,
        )
        .bind(b.project_id, b.persons),
      db
        .prepare(
          `${seq} INSERT OR IGNORE INTO person_distinct_ids (project_id, distinct_id, person_id) SELECT ?1, 'a-' || k, ${personId} FROM seq WHERE k % 10 < 3`,
        )
        .bind(b.project_id, b.persons),
    );
  }
  if (b.count > 0) {
    statements.push(
      db
        .prepare(
          `WITH RECURSIVE seq(n) AS (SELECT CAST(?2 AS INTEGER) UNION ALL SELECT n + 1 FROM seq WHERE n < ?2 + ?3 - 1),
         h AS (SELECT n, (n * 2654435761 + 97531) % 4294967296 AS h FROM seq),
         x AS (SELECT n, h, h % CAST(?4 AS INTEGER) AS k, (n * 7 + h / 256) % 20 AS kind, (h / 65536) % 50 AS pl, (h / 4096) % 2 AS anon FROM h)
         INSERT OR IGNORE INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp)
         SELECT ?1, printf('%08x-0000-4000-8000-%012d', ?1, n),
           CASE WHEN kind < 12 THEN '$pageview' WHEN kind < 15 THEN 'signup' WHEN kind < 17 THEN 'purchase' ELSE '$autocapture' END,
           CASE WHEN pl = 0 THEN 'pl-' || (k % 5000) WHEN k % 10 < 3 AND anon = 0 THEN 'a-' || k ELSE 'u-' || k END,
           CASE WHEN pl = 0 THEN printf('%08x-0002-4000-8000-%012d', ?1, k % 5000)
                WHEN k % 10 < 3 AND anon = 0 THEN printf('%08x-0003-4000-8000-%012d', ?1, k)
                ELSE printf('%08x-0001-4000-8000-%012d', ?1, k) END,
           json_object('$browser', CASE (h / 16) % 5 WHEN 0 THEN 'Chrome' WHEN 1 THEN 'Firefox' WHEN 2 THEN 'Safari' WHEN 3 THEN 'Edge' ELSE 'Opera' END,
             'amount', (h / 1048576) % 500, '$session_id', 's-' || (k * 4 + (h / 33554432) % 4), '$current_url', 'https://example.com/p/' || (h % 40)),
           strftime('%Y-%m-%dT%H:%M:%fZ', ?5 + ((n * 40503 + h) % (?6 * 86400)) + (h % 1000) / 1000.0, 'unixepoch')
         FROM x`,
        )
        .bind(b.project_id, b.start, b.count, b.persons, b.epoch, b.days),
    );
  }
  if (statements.length) await db.batch(statements);
  return c.json({ ms: Date.now() - started }, 200);
});

const FloorBody = z.object({
  project_id: z.number().int().positive(),
  from: z.string().min(1),
  to: z.string().min(1),
  event: z.string().optional(),
});

/**
 * The floor the query benchmark compares with: the bare scan of the same rows
 * grouped by day, reading each event row (not just an index).
 */
benchRoutes.post('/query-floor', async (c) => {
  const parsed = FloorBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const { project_id: projectId, from, to, event } = parsed.data;
  const db = await projectDatabase(c.env, projectId);
  const started = performance.now();
  const { results } = await db
    .prepare(
      `SELECT substr(timestamp, 1, 10) AS day, count(properties) AS n FROM events
     WHERE project_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 ${event ? 'AND event = ?4' : ''} GROUP BY day`,
    )
    .bind(...[projectId, from, to, ...(event ? [event] : [])])
    .all<{ day: string; n: number }>();
  return c.json(
    { ms: performance.now() - started, days: results.length, rows: results.reduce((a, r) => a + r.n, 0) },
    200,
  );
});
