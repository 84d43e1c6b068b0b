import { env } from 'cloudflare:workers';
import { listDurableObjectIds } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { ingestProjectEvents } from '../../src/ingest/ingest-project';
import { capture, dbFor, ev, newProject, newProjectOnShard, personsOf, shuffle, waitForStored } from '../support';
import { expectScenarioOutcome, scenario } from './scenario';
import { persons } from '../../src/db/schema';
import { eq } from 'drizzle-orm';

it('hundreds of concurrent identifies, aliases, merges and $sets end as every serial order does', async () => {
  const p = await newProject();
  const { events, expectedGroups, keysByGroup } = scenario();
  expect(events.length).toBeGreaterThan(400);

  await Promise.all(shuffle(events).map((e) => capture(p.api_token, [e])));
  await waitForStored(
    p.id,
    events.map((e) => e.uuid),
  );

  const all = await expectScenarioOutcome(p.id, expectedGroups, keysByGroup);

  // SDK retries: a fifth of the events again, concurrently. Nothing may change.
  const versions = new Map(all.map((x) => [x.id, x.version]));
  const again = shuffle(events).slice(0, Math.floor(events.length / 5));
  const marker = ev('$set', 'user-0', { $set: { marker: true } });
  await Promise.all(again.map((e) => capture(p.api_token, [e])));
  await capture(p.api_token, [marker]);
  await waitForStored(p.id, [marker.uuid]);
  const after = await (await dbFor(p.id)).select().from(persons).where(eq(persons.projectId, p.id));
  for (const person of after) {
    const bump = person.properties.marker ? 1 : 0;
    expect(person.version, `version of ${person.id} after re-sends`).toBe(versions.get(person.id)! + bump);
  }
});

/**
 * Several consumers at once over the same persons, as production queue
 * consumers run: each takes a random share of the events (in order) and
 * processes it. Each consumer first tries its batched commit; the consumers
 * that read before another committed are refused and go through the person
 * objects. Meanwhile a consumer of another project, whose persons nobody else
 * touches, commits in one batch and never needs an object.
 */
it('concurrent consumers end as every serial order does, each event stored once, via both commit paths', async () => {
  // On different shards: each consumer writes only its project's.
  const p = await newProjectOnShard(0);
  const { events, expectedGroups, keysByGroup } = scenario();
  const consumers = 6;
  const shares = Array.from({ length: consumers }, () => [] as typeof events);
  for (const e of events) shares[Math.floor(Math.random() * consumers)]!.push(e);
  // A fifth of the events is delivered twice, to a second consumer.
  for (const e of shuffle(events).slice(0, events.length / 5)) shares[Math.floor(Math.random() * consumers)]!.push(e);
  const quiet = await newProjectOnShard(1);
  const solo = Array.from({ length: 20 }, (_, i) => ev('$set', `solo-${i}`, { $set: { solo: i } }));
  const objectsBefore = new Set((await listDurableObjectIds(env.PERSON)).map((id) => id.toString()));

  const [db, quietDb] = [await dbFor(p.id), await dbFor(quiet.id)];
  const failed = await Promise.all([
    ...shares.map((share) =>
      ingestProjectEvents(
        env,
        db,
        p.id,
        share.map((event) => ({ event, message: 0 })),
      ),
    ),
    ingestProjectEvents(
      env,
      quietDb,
      quiet.id,
      solo.map((event) => ({ event, message: 0 })),
    ),
  ]);
  expect(failed.map((f) => f.size)).toEqual(failed.map(() => 0));
  const all = await expectScenarioOutcome(p.id, expectedGroups, keysByGroup);
  const count = await env.SHARD_0.prepare('SELECT COUNT(*) AS n FROM events WHERE project_id = ?')
    .bind(p.id)
    .first<{ n: number }>();
  expect(count?.n).toBe(events.length);

  const started = new Set(
    (await listDurableObjectIds(env.PERSON)).map((id) => id.toString()).filter((id) => !objectsBefore.has(id)),
  );
  const objectStarted = (person: { id: string }) => started.has(env.PERSON.idFromName(person.id).toString());
  expect(all.filter(objectStarted).length, 'contended persons written through their objects').toBeGreaterThan(0);
  const quietPersons = await personsOf(quiet.id);
  expect(quietPersons.map((x) => x.properties.solo).sort((a, b) => Number(a) - Number(b))).toEqual(
    solo.map((_, i) => i),
  );
  expect(quietPersons.filter(objectStarted), 'uncontended persons need no object').toEqual([]);
});
