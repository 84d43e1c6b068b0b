import { afterEach, beforeAll, expect, it } from 'vitest';
import {
  capture,
  clearD1Faults,
  env,
  ev,
  eventually,
  ingestInOrder,
  injectD1Faults,
  installD1Faults,
  newProject,
  personOf,
  personsOf,
  POISON,
  sleep,
  storedUuids,
  waitForStored,
  warningsOf,
  type FaultRule,
} from '../support';
import { projectDatabase } from '../../src/db/shards';

// Faults come from the shared D1 fault harness (test/support/d1-faults.ts), scoped to each test's project.
beforeAll(installD1Faults);
afterEach(() => clearD1Faults());

/** Person rows of the project cannot be created or changed: a transient D1 failure until cleared. */
const PERSON_WRITES_FAIL: FaultRule[] = [{ table: 'persons', writes: ['INSERT', 'UPDATE'] }];
/** The last statement of a merge (deleting the merged-away person) fails. */
const MERGE_DELETE_FAILS: FaultRule[] = [{ table: 'persons', writes: ['DELETE'] }];

it('a D1 failure mid-batch is retried and every event ends stored exactly once', async () => {
  const p = await newProject();
  await ingestInOrder(p, [ev('$set', 'existing', { $set: { before: 1 } })]);
  const personLess = [1, 2, 3].map((i) => ev('$pageview', `visitor-${i}`, { $process_person_profile: false }));
  const personal = [
    ev('$set', 'existing', { $set: { during: 1 } }),
    ev('$pageview', 'new-user', { $set: { fresh: true } }),
    ev('$identify', 'existing', { $anon_distinct_id: 'visitor-1', $set: { merged: true } }),
  ];
  await injectD1Faults(p.id, PERSON_WRITES_FAIL);
  await capture(p.api_token, [...personLess, ...personal]);

  // The person-less part of the batch went through; the person part failed and waits for a retry.
  await waitForStored(
    p.id,
    personLess.map((e) => e.uuid),
  );
  await sleep(1500);
  expect(
    (
      await storedUuids(
        p.id,
        personal.map((e) => e.uuid),
      )
    ).size,
  ).toBe(0);
  expect(await personOf(p.id, 'new-user')).toBeUndefined();

  await clearD1Faults(p.id);
  await waitForStored(
    p.id,
    personal.map((e) => e.uuid),
  );
  const persons = await personsOf(p.id);
  expect(persons.map((x) => x.distinctIds).sort()).toEqual([['existing', 'visitor-1'], ['new-user']]);
  expect((await personOf(p.id, 'existing'))!.properties).toMatchObject({ before: 1, during: 1, merged: true });
  const count = await (await projectDatabase(env, p.id))
    .prepare('SELECT COUNT(*) AS n FROM events WHERE project_id = ?')
    .bind(p.id)
    .first<{ n: number }>();
  expect(count?.n).toBe(1 + personLess.length + personal.length);
  expect(await warningsOf(p.id)).toEqual([]);
});

it('a merge that fails at its last statement leaves nothing half-applied', async () => {
  const p = await newProject();
  await ingestInOrder(p, [ev('$set', 'anon', { $set: { a: 1 } }), ev('$set', 'user', { $set: { u: 1 } })]);
  const before = await personsOf(p.id);
  const merge = ev('$identify', 'user', { $anon_distinct_id: 'anon' });
  await injectD1Faults(p.id, MERGE_DELETE_FAILS);
  await capture(p.api_token, [merge]);
  await sleep(1500);
  expect(await personsOf(p.id)).toEqual(before);
  expect((await storedUuids(p.id, [merge.uuid])).size).toBe(0);
  const history = await (await projectDatabase(env, p.id))
    .prepare('SELECT COUNT(*) AS n FROM person_merges WHERE project_id = ?')
    .bind(p.id)
    .first<{ n: number }>();
  expect(history?.n).toBe(0);

  await clearD1Faults(p.id);
  await waitForStored(p.id, [merge.uuid]);
  const after = await personsOf(p.id);
  expect(after.map((x) => x.distinctIds)).toEqual([['anon', 'user']]);
});

it('a message that keeps failing is dead-lettered: its events kept with a warning, the rest go on', async () => {
  const p = await newProject();
  const poison = ev('$pageview', 'poisoned', { $set: POISON });
  const good = ev('$pageview', 'healthy', { $set: { ok: true } });
  await capture(p.api_token, [poison]);
  await capture(p.api_token, [good]);
  await waitForStored(p.id, [good.uuid]);
  expect((await personOf(p.id, 'healthy'))?.properties).toMatchObject({ ok: true });

  const warning = await eventually(
    'the dead-letter warning',
    async () => (await warningsOf(p.id)).find((w) => w.type === 'ingestion_retries_exhausted'),
    { timeout: 40_000 },
  );
  expect(warning).toMatchObject({
    eventUuid: poison.uuid,
    details: { eventUuid: poison.uuid, event: '$pageview', distinctId: 'poisoned' },
  });
  expect((await storedUuids(p.id, [poison.uuid])).size).toBe(1);
  expect(await personOf(p.id, 'poisoned')).toBeUndefined();
});
