// Bench-only routes of the storage part (bench/storage.mjs): the meter, the storage floor (a
// plain copy of today's events layout, written with `json_each`), the stored rows read back in
// pages, and what a project holds. Mounted under /_bench by routes.ts.
import { Hono } from 'hono';
import { z } from 'zod';
import { projectDatabase } from '../src/db/shards';
import type { AppEnv } from '../src/env';
import { meterReading, startMetering, stopMetering } from './meter';
import { badRequest, jsonOf } from './route-helpers';

export const storageRoutes = new Hono<AppEnv>({ strict: false });

storageRoutes.get('/meter', (c) => c.json(meterReading(), 200));

const MeterBody = z.object({ on: z.boolean() });

/** Turns the meter on (from zero) or off; answers what it counted. */
storageRoutes.post('/meter', async (c) => {
  const parsed = MeterBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  if (parsed.data.on) startMetering();
  else stopMetering();
  return c.json(meterReading(), 200);
});

/**
 * The floor's table: today's `events` layout (migrations 0000, 0005, 0006) under another name,
 * without the five partial group indexes (events without groups add nothing to them). Never
 * part of the production migrations: created on the project's shard by this route.
 */
const FLOOR_DDL = [
  'DROP TABLE IF EXISTS events_floor',
  `CREATE TABLE events_floor (
    project_id integer NOT NULL, uuid text NOT NULL, event text NOT NULL, distinct_id text NOT NULL,
    person_id_at_ingest text NOT NULL, properties text NOT NULL, timestamp text NOT NULL,
    group_0 text, group_1 text, group_2 text, group_3 text, group_4 text,
    PRIMARY KEY (project_id, uuid))`,
  'CREATE INDEX events_floor_project_timestamp_idx ON events_floor (project_id, timestamp, event, distinct_id, person_id_at_ingest)',
  'CREATE INDEX events_floor_project_distinct_timestamp_idx ON events_floor (project_id, distinct_id, timestamp)',
  'CREATE INDEX events_floor_project_event_timestamp_idx ON events_floor (project_id, event, timestamp, distinct_id, person_id_at_ingest)',
];
const FLOOR_INSERT = `INSERT INTO events_floor (project_id, uuid, event, distinct_id, person_id_at_ingest, properties,
    timestamp, group_0, group_1, group_2, group_3, group_4)
  SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
    value ->> 7, value ->> 8, value ->> 9, value ->> 10
  FROM json_each(?2)`;
/** The floor writes 2,000 rows per statement; D1 binds at most 2,000,000 bytes per value. */
export const FLOOR_ROWS_PER_STATEMENT = 2_000;
const MAX_BOUND_BYTES = 2_000_000;

const ProjectBody = z.object({ project_id: z.number().int().positive() });

storageRoutes.post('/floor-table', async (c) => {
  const parsed = ProjectBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const db = await projectDatabase(c.env, parsed.data.project_id);
  await db.batch(FLOOR_DDL.map((text) => db.prepare(text)));
  return c.json({ created: 'events_floor' }, 201);
});

const text = z.string().min(1);
const groupKey = z.string().nullable();
/** A stored event row in column order: uuid, event, distinct id, person id, properties (JSON text), timestamp, groups. */
const EventRowTuple = z.tuple([text, text, text, text, text, text, groupKey, groupKey, groupKey, groupKey, groupKey]);
const FloorInsertBody = ProjectBody.extend({ rows: z.array(EventRowTuple).min(1).max(FLOOR_ROWS_PER_STATEMENT) });

/**
 * The floor: the rows into `events_floor` in one `json_each` INSERT (at most 2,000 rows and 2 MB),
 * answering how long D1 took.
 */
storageRoutes.post('/floor-insert', async (c) => {
  const parsed = FloorInsertBody.safeParse(await jsonOf(c));
  if (!parsed.success) return badRequest(c, parsed.error);
  const { project_id: projectId, rows } = parsed.data;
  const array = JSON.stringify(rows);
  const bytes = new TextEncoder().encode(array).byteLength;
  if (bytes > MAX_BOUND_BYTES) {
    const detail = `rows: ${bytes} bytes as JSON; D1 binds at most ${MAX_BOUND_BYTES} bytes per value.`;
    return c.json({ type: 'validation_error', code: 'invalid_input', detail, attr: 'rows' }, 400);
  }
  const db = await projectDatabase(c.env, projectId);
  const started = performance.now();
  const result = await db.prepare(FLOOR_INSERT).bind(projectId, array).run();
  // D1's time for the statement (the wire to it included): the floor, without this route's own JSON work.
  const d1Ms = performance.now() - started;
  return c.json({ inserted: rows.length, rows_written: result.meta.rows_written, d1_ms: d1Ms }, 200);
});

const RowsQuery = z.object({
  project_id: z.coerce.number().int().positive(),
  /** Rows after this uuid (the key order), for the next page. */
  after: z.string().default(''),
  limit: z.coerce.number().int().min(1).max(10_000).default(5_000),
});

/** The project's stored event rows in key order, as the floor takes them. */
storageRoutes.get('/event-rows', async (c) => {
  const parsed = RowsQuery.safeParse(c.req.query());
  if (!parsed.success) return badRequest(c, parsed.error);
  const { project_id: projectId, after, limit } = parsed.data;
  const db = await projectDatabase(c.env, projectId);
  const rows = await db
    .prepare(
      `SELECT uuid, event, distinct_id, person_id_at_ingest, properties, timestamp, group_0, group_1, group_2, group_3, group_4
       FROM events WHERE project_id = ? AND uuid > ? ORDER BY uuid LIMIT ?`,
    )
    .bind(projectId, after, limit)
    .raw();
  return c.json({ rows }, 200);
});

const StorageQuery = z.object({ project_id: z.coerce.number().int().positive() });

/** What the project holds, table by table, and its shard's size as D1 reports it. */
storageRoutes.get('/storage', async (c) => {
  const parsed = StorageQuery.safeParse(c.req.query());
  if (!parsed.success) return badRequest(c, parsed.error);
  const id = parsed.data.project_id;
  const db = await projectDatabase(c.env, id);
  const count = (table: string) => db.prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`).bind(id);
  const tables = [
    'events',
    'persons',
    'person_distinct_ids',
    'person_merges',
    'event_definitions',
    'property_definitions',
    'event_properties',
  ];
  const results = await db.batch<{ n: number; bytes?: number }>([
    ...tables.map(count),
    db.prepare('SELECT sum(length(CAST(properties AS BLOB))) AS bytes FROM events WHERE project_id = ?').bind(id),
  ]);
  const rows = Object.fromEntries(tables.map((t, i) => [t, results[i]?.results[0]?.n ?? 0]));
  const propertiesBytes = results[tables.length]?.results[0]?.bytes ?? 0;
  return c.json({ rows, properties_bytes: propertiesBytes, d1_size_bytes: results[0]?.meta.size_after ?? 0 }, 200);
});
