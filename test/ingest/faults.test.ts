import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { projectDatabase, shardDatabases } from '../../src/db/shards';
import { newProject } from '../helpers';
import { capture, ev, ingestInOrder, personOf, personsOf, storedUuids, waitFor, waitForStored, warningsOf } from './helpers';

/**
 * Faults are injected into the real local D1 with triggers: while a row of the
 * named kind is in `test_faults` for a project, writes to that project's
 * `persons` fail as a D1 error would. (Other test files share the database and
 * the queue consumer, so a fault never reaches beyond its own project.)
 */
const TRIGGERS = [
  ['transient_insert', 'BEFORE INSERT ON persons', 'NEW', 'transient'],
  ['transient_update', 'BEFORE UPDATE ON persons', 'OLD', 'transient'],
  ['merge_delete', 'BEFORE DELETE ON persons', 'OLD', 'merge_delete'],
] as const;

beforeAll(async () => {
  // On every shard: each project's writes go to its own.
  for (const db of shardDatabases(env)) {
    await db.prepare('CREATE TABLE IF NOT EXISTS test_faults (kind TEXT NOT NULL, project_id INTEGER NOT NULL)').run();
    for (const [name, when, row, kind] of TRIGGERS) {
      await db.prepare(
        `CREATE TRIGGER IF NOT EXISTS test_fault_${name} ${when} WHEN EXISTS (SELECT 1 FROM test_faults WHERE kind = '${kind}' AND project_id = ${row}.project_id) BEGIN SELECT RAISE(ABORT, 'injected D1 fault'); END`,
      ).run();
    }
    await db.prepare(
      `CREATE TRIGGER IF NOT EXISTS test_fault_poison BEFORE INSERT ON persons WHEN NEW.properties LIKE '%"poison":true%' BEGIN SELECT RAISE(ABORT, 'injected permanent fault'); END`,
    ).run();
  }
});

const clearFaults = async () => {
  for (const db of shardDatabases(env)) await db.prepare('DELETE FROM test_faults').run();
};

afterEach(clearFaults);

const injectFault = async (kind: string, projectId: number) =>
  (await projectDatabase(env, projectId)).prepare('INSERT INTO test_faults (kind, project_id) VALUES (?, ?)').bind(kind, projectId).run();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a D1 failure mid-batch is retried and every event ends stored exactly once', async () => {
  const p = await newProject();
  await ingestInOrder(p, [ev('$set', 'existing', { $set: { before: 1 } })]);
  const personLess = [1, 2, 3].map((i) => ev('$pageview', `visitor-${i}`, { $process_person_profile: false }));
  const personal = [
    ev('$set', 'existing', { $set: { during: 1 } }),
    ev('$pageview', 'new-user', { $set: { fresh: true } }),
    ev('$identify', 'existing', { $anon_distinct_id: 'visitor-1', $set: { merged: true } }),
  ];
  await injectFault('transient', p.id);
  await capture(p.api_token, [...personLess, ...personal]);

  // The person-less part of the batch went through; the person part failed and waits for a retry.
  await waitForStored(p.id, personLess.map((e) => e.uuid));
  await sleep(1500);
  expect((await storedUuids(p.id, personal.map((e) => e.uuid))).size).toBe(0);
  expect(await personOf(p.id, 'new-user')).toBeUndefined();

  await clearFaults();
  await waitForStored(p.id, personal.map((e) => e.uuid));
  const persons = await personsOf(p.id);
  expect(persons.map((x) => x.distinctIds).sort()).toEqual([['existing', 'visitor-1'], ['new-user']]);
  expect((await personOf(p.id, 'existing'))!.properties).toMatchObject({ before: 1, during: 1, merged: true });
  const count = await (await projectDatabase(env, p.id)).prepare('SELECT COUNT(*) AS n FROM events WHERE project_id = ?').bind(p.id).first<{ n: number }>();
  expect(count?.n).toBe(1 + personLess.length + personal.length);
  expect(await warningsOf(p.id)).toEqual([]);
});

it('a merge that fails at its last statement leaves nothing half-applied', async () => {
  const p = await newProject();
  await ingestInOrder(p, [ev('$set', 'anon', { $set: { a: 1 } }), ev('$set', 'user', { $set: { u: 1 } })]);
  const before = await personsOf(p.id);
  const merge = ev('$identify', 'user', { $anon_distinct_id: 'anon' });
  await injectFault('merge_delete', p.id);
  await capture(p.api_token, [merge]);
  await sleep(1500);
  expect(await personsOf(p.id)).toEqual(before);
  expect((await storedUuids(p.id, [merge.uuid])).size).toBe(0);
  const history = await (await projectDatabase(env, p.id)).prepare('SELECT COUNT(*) AS n FROM person_merges WHERE project_id = ?').bind(p.id).first<{ n: number }>();
  expect(history?.n).toBe(0);

  await clearFaults();
  await waitForStored(p.id, [merge.uuid]);
  const after = await personsOf(p.id);
  expect(after.map((x) => x.distinctIds)).toEqual([['anon', 'user']]);
});

it('a message that keeps failing goes to the dead-letter queue; its events are kept with a warning, the rest go on', async () => {
  const p = await newProject();
  const poison = ev('$pageview', 'poisoned', { $set: { poison: true } });
  const good = ev('$pageview', 'healthy', { $set: { ok: true } });
  await capture(p.api_token, [poison]);
  await capture(p.api_token, [good]);
  await waitForStored(p.id, [good.uuid]);
  expect((await personOf(p.id, 'healthy'))?.properties).toMatchObject({ ok: true });

  const warning = await waitFor(
    'the dead-letter warning',
    async () => (await warningsOf(p.id)).find((w) => w.type === 'ingestion_retries_exhausted'),
    40_000,
  );
  expect(warning).toMatchObject({ eventUuid: poison.uuid, details: { eventUuid: poison.uuid, event: '$pageview', distinctId: 'poisoned' } });
  expect((await storedUuids(p.id, [poison.uuid])).size).toBe(1);
  expect(await personOf(p.id, 'poisoned')).toBeUndefined();
});
