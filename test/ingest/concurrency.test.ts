import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ingestProjectEvents } from '../../src/ingest/ingest-project';
import { newProject, capture, ev, shuffle, waitForStored, db } from '../support';
import { expectScenarioOutcome, scenario } from './scenario';
import { persons } from '../../src/db/schema';
import { eq } from 'drizzle-orm';

it('hundreds of concurrent identifies, aliases, merges and $sets end in the persons every serial order gives', async () => {
  const p = await newProject();
  const { events, expectedGroups, keysByGroup } = scenario();
  expect(events.length).toBeGreaterThan(400);

  await Promise.all(shuffle(events).map((e) => capture(p.api_token, [e])));
  await waitForStored(p.id, events.map((e) => e.uuid));

  const all = await expectScenarioOutcome(p.id, expectedGroups, keysByGroup);

  // SDK retries: a fifth of the events again, concurrently. Nothing may change.
  const versions = new Map(all.map((x) => [x.id, x.version]));
  const again = shuffle(events).slice(0, Math.floor(events.length / 5));
  const marker = ev('$set', 'user-0', { $set: { marker: true } });
  await Promise.all(again.map((e) => capture(p.api_token, [e])));
  await capture(p.api_token, [marker]);
  await waitForStored(p.id, [marker.uuid]);
  const after = await db.select().from(persons).where(eq(persons.projectId, p.id));
  for (const person of after) {
    const bump = person.properties.marker ? 1 : 0;
    expect(person.version, `version of ${person.id} after re-sends`).toBe(versions.get(person.id)! + bump);
  }
});

/**
 * Several consumers at once over the same persons, as production queue
 * consumers run: each takes a random share of the events (in order) and
 * processes it. Through the person objects alone, and through the batched
 * commit (whose refused batches fall back to the objects).
 */
describe.each([
  ['the person objects', false],
  ['batched commits under contention', true],
])('concurrent consumers through %s', (_, batchedCommit) => {
  it('end in the persons every serial order gives, each event stored once', async () => {
    const p = await newProject();
    const { events, expectedGroups, keysByGroup } = scenario();
    const consumers = 6;
    const shares = Array.from({ length: consumers }, () => [] as typeof events);
    for (const e of events) shares[Math.floor(Math.random() * consumers)]!.push(e);
    // A fifth of the events is delivered twice, to a second consumer.
    for (const e of shuffle(events).slice(0, events.length / 5)) shares[Math.floor(Math.random() * consumers)]!.push(e);

    const failed = await Promise.all(
      shares.map((share) =>
        ingestProjectEvents(env, db, p.id, share.map((event) => ({ event, message: 0 })), { batchedCommit }),
      ),
    );
    expect(failed.map((f) => f.size)).toEqual(failed.map(() => 0));
    await expectScenarioOutcome(p.id, expectedGroups, keysByGroup);
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM events WHERE project_id = ?').bind(p.id).first<{ n: number }>();
    expect(count?.n).toBe(events.length);
  });
});
