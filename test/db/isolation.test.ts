import { describe, expect, it } from 'vitest';
import { projectDatabase, shardDatabases } from '../../src/db/shards';
import { uuidFromDistinctId } from '../../src/identity';
import { API_KEY, api, env, fetchWorker, newProjectOnShard } from '../support';
import { waitForStored } from '../support';

/**
 * Two projects on different shards receive the same distinct ids. Every path
 * (capture with a staged large event, the queue consumer, merges, a person
 * object, the REST reads and writes, the query endpoint, the web app) must touch only its project's shard; the
 * catalog holds no project data at all.
 */

const DATA_TABLES = [
  'events',
  'persons',
  'person_distinct_ids',
  'person_merges',
  'ingestion_warnings',
  'staged_events',
] as const;

async function rowsPerDatabase(projectId: number): Promise<Record<string, Record<string, number>>> {
  const databases: [string, D1Database][] = [
    ['DB', env.DB],
    ...shardDatabases(env).map((db, i) => [`SHARD_${i}`, db] as [string, D1Database]),
  ];
  const out: Record<string, Record<string, number>> = {};
  for (const [name, db] of databases) {
    out[name] = {};
    for (const table of DATA_TABLES) {
      const row = await db
        .prepare(`SELECT count(*) AS n FROM ${table} WHERE project_id = ?`)
        .bind(projectId)
        .first<{ n: number }>();
      out[name][table] = row?.n ?? 0;
    }
  }
  return out;
}

const none = Object.fromEntries(DATA_TABLES.map((t) => [t, 0]));

let seq = 0;
function eventsFor(label: string) {
  const at = () => new Date(Date.UTC(2026, 2, 1, 0, 0, ++seq)).toISOString();
  const e = (event: string, distinctId: string, properties: Record<string, unknown> = {}) => ({
    uuid: crypto.randomUUID(),
    event,
    distinct_id: distinctId,
    properties: { project: label, ...properties },
    timestamp: at(),
  });
  return [
    e('$pageview', 'anon-1', { $set: { seen: label } }),
    e('$identify', 'user-1', { $anon_distinct_id: 'anon-1', $set: { email: `${label}@example.com` } }),
    e('$pageview', 'visitor', { $process_person_profile: false }),
    // Too large for a queue message: staged on the shard, read back by the consumer.
    e('big', 'user-1', { pad: 'x'.repeat(150_000) }),
    // An illegal merge: a warning.
    e('$identify', 'null', { $anon_distinct_id: 'user-1' }),
  ];
}

async function capture(token: string, batch: unknown[]) {
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch }),
  });
  expect(res.status).toBe(200);
}

describe('projects on different shards', () => {
  it('capture, consumer, merges and REST read and write only the project shard', async () => {
    const a = await newProjectOnShard(0, 'isolation A');
    const b = await newProjectOnShard(1, 'isolation B');
    expect(await projectDatabase(env, a.id)).toBe(env.SHARD_0);
    expect(await projectDatabase(env, b.id)).toBe(env.SHARD_1);
    const eventsA = eventsFor('A');
    const eventsB = eventsFor('B');
    await Promise.all([capture(a.api_token, eventsA), capture(b.api_token, eventsB)]);
    await Promise.all([
      waitForStored(
        a.id,
        eventsA.map((e) => e.uuid),
      ),
      waitForStored(
        b.id,
        eventsB.map((e) => e.uuid),
      ),
    ]);

    const rowsA = await rowsPerDatabase(a.id);
    const rowsB = await rowsPerDatabase(b.id);
    expect(rowsA.DB).toEqual(none);
    expect(rowsA.SHARD_1).toEqual(none);
    expect(rowsB.DB).toEqual(none);
    expect(rowsB.SHARD_0).toEqual(none);
    const expectA = rowsA.SHARD_0!;
    expect(expectA).toMatchObject({ events: 5, staged_events: 0 });
    for (const table of ['persons', 'person_distinct_ids', 'person_merges', 'ingestion_warnings'])
      expect(expectA[table], table).toBeGreaterThan(0);
    // The same workload: the same rows, each on its own shard.
    expect(rowsB.SHARD_1).toEqual(expectA);

    // The web app (signed in with the personal key) shows each project's own persons and events.
    const login = await fetchWorker('/app/login', {
      method: 'POST',
      headers: { 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: API_KEY }),
      redirect: 'manual',
    });
    const cookie = `phe_session=${/phe_session=([^;]+)/.exec(login.headers.get('Set-Cookie') ?? '')?.[1]}`;
    for (const [project, label, other] of [
      [a, 'A', 'B'],
      [b, 'B', 'A'],
    ] as const) {
      for (const path of ['persons', 'events']) {
        const res = await fetchWorker(`/app/projects/${project.id}/${path}`, { headers: { Cookie: cookie } });
        expect(res.status, path).toBe(200);
        const html = await res.text();
        if (path === 'persons') {
          expect(html).toContain(`${label}@example.com`);
          expect(html).not.toContain(`${other}@example.com`);
        } else {
          expect(html).toContain('big');
        }
      }
    }

    // REST reads: each project sees its own data only.
    for (const [project, label] of [
      [a, 'A'],
      [b, 'B'],
    ] as const) {
      const persons = await (await api(`/api/projects/${project.id}/persons/`)).json<{
        results: { id: string; distinct_ids: string[]; properties: Record<string, unknown> }[];
      }>();
      const merged = persons.results.find((p) => p.distinct_ids.includes('user-1'));
      expect(persons.results).toHaveLength(expectA.persons!);
      expect(merged!.distinct_ids.sort()).toEqual(['anon-1', 'user-1']);
      expect(merged!.properties).toMatchObject({ email: `${label}@example.com`, seen: label });
      const events = await (await api(`/api/projects/${project.id}/events/?limit=100`)).json<{
        results: { properties: Record<string, unknown> }[];
      }>();
      expect(events.results.map((e) => e.properties.project)).toEqual(Array(5).fill(label));
      const warnings = await (await api(`/api/projects/${project.id}/ingestion_warnings/`)).json<{
        results: unknown[];
      }>();
      expect(warnings.results).toHaveLength(expectA.ingestion_warnings!);
      // The query endpoint answers from the project's shard only.
      const answer = await (
        await api(`/api/projects/${project.id}/query/`, {
          method: 'POST',
          json: { query: { kind: 'EventsQuery', select: ['*'], after: '2026-01-01', limit: 100 } },
        })
      ).json<{ results: [Record<string, unknown>][] }>();
      expect(answer.results.map(([row]) => (row.properties as Record<string, unknown>).project)).toEqual(
        Array(5).fill(label),
      );
      const storage = await (await api(`/api/projects/${project.id}/`)).json<{
        storage: { events: number; persons: number; shard: number };
      }>();
      expect(storage.storage).toMatchObject({ events: 5, persons: expectA.persons, shard: project.shard });
    }

    // A REST write (delete the person and its events) changes only B's shard.
    const owner = await env.SHARD_1.prepare(
      'SELECT person_id FROM person_distinct_ids WHERE project_id = ? AND distinct_id = ?',
    )
      .bind(b.id, 'user-1')
      .first<{ person_id: string }>();
    const res = await api(`/api/projects/${b.id}/persons/${owner!.person_id}/?delete_events=true`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(202);
    const afterDelete = await rowsPerDatabase(b.id);
    expect(afterDelete.SHARD_1).toMatchObject({
      persons: expectA.persons! - 1,
      person_distinct_ids: expectA.person_distinct_ids! - 2,
    });
    expect(afterDelete.DB).toEqual(none);
    expect(afterDelete.SHARD_0).toEqual(none);
    expect((await rowsPerDatabase(a.id)).SHARD_0).toEqual(expectA);
  });

  it("a person object writes its person to its project's shard", async () => {
    const project = await newProjectOnShard(1, 'isolation object');
    const personId = uuidFromDistinctId(project.id, 'object-user');
    const event = {
      uuid: crypto.randomUUID(),
      event: '$set',
      distinct_id: 'object-user',
      properties: { $set: { via: 'object' } },
      timestamp: new Date().toISOString(),
    };
    const stub = env.PERSON.get(env.PERSON.idFromName(personId));
    const result = await stub.applyUpdates({
      projectId: project.id,
      personId,
      createFor: 'object-user',
      distinctIds: ['object-user'],
      events: [{ event, warnings: [] }],
    });
    expect(result).toMatchObject({ status: 'ok', personId });
    const rows = await rowsPerDatabase(project.id);
    expect(rows).toEqual({
      DB: none,
      SHARD_0: none,
      SHARD_1: { ...none, persons: 1, person_distinct_ids: 1, events: 1 },
    });
    const person = await env.SHARD_1.prepare('SELECT properties FROM persons WHERE id = ?')
      .bind(personId)
      .first<{ properties: string }>();
    expect(JSON.parse(person!.properties)).toMatchObject({ via: 'object' });
  });
});
