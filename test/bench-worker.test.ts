import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import benchWorker from '../bench/worker';
import { eq } from 'drizzle-orm';

import { events } from '../src/db/schema';
import { projectDb } from '../src/db/shards';
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
});
