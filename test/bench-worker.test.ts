import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import benchWorker from '../bench/worker';
import { meterReading, meteredEnv, startMetering, stopMetering } from '../bench/meter';
import { eq } from 'drizzle-orm';

import { events } from '../src/db/schema';
import { projectDatabase, projectDb } from '../src/db/shards';
import { env, eventually, fetchWorker, newProject } from './support';

// As in the workers-sdk examples: a Request typed as the runtime hands it to a Worker.
const IncomingRequest = Request<unknown, IncomingRequestCfProperties>;
type IncomingInit = RequestInit<IncomingRequestCfProperties>;

async function fetchBench(path: string, init?: IncomingInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await benchWorker.fetch(new IncomingRequest(`http://bench.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const json = (body: unknown): IncomingInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

describe('bench-only routes', () => {
  it('are not part of the production Worker', async () => {
    const p = await newProject();
    const requests: [string, RequestInit][] = [
      ['/_bench/noop', { method: 'POST', body: '{}' }],
      ['/_bench/plain-insert', { method: 'POST', body: JSON.stringify({ project_id: p.id, rows: [] }) }],
      ['/_bench/seed-persons', { method: 'POST', body: JSON.stringify({ project_id: p.id, count: 10 }) }],
      [`/_bench/counts?project_id=${p.id}`, {}],
      ['/_bench/meter', {}],
      ['/_bench/floor-insert', { method: 'POST', body: JSON.stringify({ project_id: p.id, rows: [] }) }],
      [`/_bench/event-rows?project_id=${p.id}`, {}],
      [`/_bench/storage?project_id=${p.id}`, {}],
    ];
    for (const [path, init] of requests) {
      const res = await fetchWorker(path, init);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
  });

  it('the durable-accept baseline sends, on every request, the message capture built for the first', async () => {
    const p = await newProject();
    const body = (uuid: string) =>
      JSON.stringify({ api_key: p.api_token, batch: [{ event: 'e', distinct_id: 'd', uuid, properties: { a: 1 } }] });
    const first = crypto.randomUUID();
    const fixture = `/_bench/accept?fixture=${p.id}-test`;
    for (const uuid of [first, crypto.randomUUID(), crypto.randomUUID()]) {
      const res = await fetchBench(fixture, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: body(uuid),
      });
      expect(res.status).toBe(200);
    }
    await eventually('the fixed event stored', async () => {
      const counts = (await (await fetchBench(`/_bench/counts?project_id=${p.id}`)).json()) as { events: number };
      return counts.events >= 1 ? counts : undefined;
    });
    const stored = await (await projectDb(env, p.id))
      .select({ uuid: events.uuid })
      .from(events)
      .where(eq(events.projectId, p.id));
    expect(stored.map((e) => e.uuid)).toEqual([first]);
  });

  it('are served by the bench entry, which otherwise answers like the production Worker', async () => {
    const p = await newProject();
    expect(await (await fetchBench('/_bench/noop', { method: 'POST', body: 'x' })).json()).toEqual({ status: 1 });

    const row = (n: number) => ({
      project_id: p.id,
      uuid: `0190a5e0-0000-7000-8000-${String(n).padStart(12, '0')}`,
      event: 'bench',
      distinct_id: `d${n}`,
      person_id_at_ingest: `p${n}`,
      properties: { n },
      timestamp: '2026-01-01T00:00:00.000Z',
    });
    const inserted = await fetchBench('/_bench/plain-insert', json({ rows: [row(1), row(2), row(3)] }));
    expect(await inserted.json()).toEqual({ inserted: 3 });
    const seeded = await fetchBench('/_bench/seed-persons', json({ project_id: p.id, count: 5, prefix: 'bw-' }));
    expect(await seeded.json()).toMatchObject({ seeded: 5 });
    const counts = await fetchBench(`/_bench/counts?project_id=${p.id}`);
    expect(await counts.json()).toEqual({ events: 3, persons: 5, distinct_ids: 5, merges: 0, warnings: 0 });

    const bad = await fetchBench('/_bench/seed-persons', json({ project_id: p.id, count: 0 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_input', attr: 'count' });
    const unknown = await fetchBench('/_bench/nope');
    expect(unknown.status).toBe(404);

    const production = await fetchWorker('/_readiness');
    const bench = await fetchBench('/_readiness');
    expect([bench.status, await bench.text()]).toEqual([production.status, await production.text()]);
  });

  it('meter the rows D1 writes and reads, statement by statement, and the queue messages capture sends', async () => {
    const p = await newProject();
    const db = await projectDatabase(meteredEnv(env), p.id);
    const insert = db.prepare(
      `INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp)
       VALUES (?, ?, 'metered', 'd', 'p', '{}', '2026-01-01T00:00:00.000Z') RETURNING uuid`,
    );
    startMetering();
    await insert.bind(p.id, crypto.randomUUID()).run();
    await db.batch([insert.bind(p.id, crypto.randomUUID()), insert.bind(p.id, crypto.randomUUID())]);
    expect(await insert.bind(p.id, crypto.randomUUID()).first('uuid')).toEqual(expect.any(String));
    const count = await db.prepare('SELECT count(*) AS n FROM events WHERE project_id = ?').bind(p.id).first('n');
    const body = JSON.stringify({ api_key: p.api_token, batch: [{ event: 'e', distinct_id: 'd', properties: {} }] });
    const captured = await fetchBench('/batch/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    stopMetering();
    expect([count, captured.status]).toEqual([4, 200]);
    const reading = meterReading();
    // Each event row is one written row for the table and one per index (key and three covering ones).
    expect(reading.tables.events).toMatchObject({ statements: 4, rows_written: 4 * 5 });
    expect(reading.tables['(reads)']?.statements).toBeGreaterThanOrEqual(1);
    const shard = Object.entries(reading.databases).find(([name]) => name.startsWith('SHARD_'))?.[1];
    expect(shard).toMatchObject({ requests: 4, rows_written: 20 });
    expect(reading.queue.messages).toBe(1);
    expect(reading.queue.bytes).toBeGreaterThan(body.length / 2);
    expect(reading.queue.chunks).toBe(1);
    expect(meterReading().metering).toBe(false);
  });

  it('copy stored event rows into the floor table with json_each, and say what a project holds', async () => {
    const p = await newProject();
    const row = (n: number) => ({
      project_id: p.id,
      uuid: `0190a5e0-0000-7000-8000-${String(n).padStart(12, '0')}`,
      event: 'floor',
      distinct_id: `d${n}`,
      person_id_at_ingest: `p${n}`,
      properties: { n, $current_url: 'https://example.com/' },
      timestamp: '2026-01-01T00:00:00.000Z',
    });
    await fetchBench('/_bench/plain-insert', json({ rows: [row(2), row(1), row(3)] }));
    const page = (await (await fetchBench(`/_bench/event-rows?project_id=${p.id}&limit=2`)).json()) as {
      rows: unknown[][];
    };
    expect(page.rows.map((r) => r[0])).toEqual([row(1).uuid, row(2).uuid]);
    expect(page.rows[0]).toEqual([
      row(1).uuid,
      'floor',
      'd1',
      'p1',
      JSON.stringify(row(1).properties),
      row(1).timestamp,
      null,
      null,
      null,
      null,
      null,
    ]);
    const rest = (await (await fetchBench(`/_bench/event-rows?project_id=${p.id}&after=${row(2).uuid}`)).json()) as {
      rows: unknown[][];
    };
    expect(rest.rows.map((r) => r[0])).toEqual([row(3).uuid]);

    expect((await fetchBench('/_bench/floor-table', json({ project_id: p.id }))).status).toBe(201);
    const inserted = await fetchBench(
      '/_bench/floor-insert',
      json({ project_id: p.id, rows: [...page.rows, ...rest.rows] }),
    );
    // The row, its key and the three indexes of today's layout.
    expect(await inserted.json()).toEqual({ inserted: 3, rows_written: 15, d1_ms: expect.any(Number) });
    const storage = (await (await fetchBench(`/_bench/storage?project_id=${p.id}`)).json()) as Record<string, unknown>;
    expect(storage).toMatchObject({
      rows: { events: 3, persons: 0, person_distinct_ids: 0 },
      d1_size_bytes: expect.any(Number),
    });
    expect(storage.properties_bytes).toBe([1, 2, 3].reduce((a, n) => a + JSON.stringify(row(n).properties).length, 0));

    const wrongShape = await fetchBench('/_bench/floor-insert', json({ project_id: p.id, rows: [['only', 'two']] }));
    expect(wrongShape.status).toBe(400);
    expect(await wrongShape.json()).toMatchObject({ code: 'invalid_input', attr: 'rows.0' });
    const big = page.rows[0]!.map((v, i) => (i === 4 ? 'x'.repeat(1_100_000) : v));
    const tooBig = await fetchBench('/_bench/floor-insert', json({ project_id: p.id, rows: [big, big] }));
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toMatchObject({ code: 'invalid_input', attr: 'rows' });
  });
});
