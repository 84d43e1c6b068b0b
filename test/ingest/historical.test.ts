import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { dbFor, eventually, fetchWorker, newProject, personOf, storedUuids, waitForStored } from '../support';

const IMPORT_SIZE = 50_000;
const PER_REQUEST = 5_000;
const USERS = 500;

async function post(body: unknown): Promise<void> {
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function storedCount(projectId: number): Promise<number> {
  const row = await (await dbFor(projectId)).get<{ n: number }>(
    sql`SELECT COUNT(*) AS n FROM events WHERE project_id = ${projectId}`,
  );
  return row.n;
}

describe('historical imports (historical_migration: true)', () => {
  it(`live events are stored during a ${IMPORT_SIZE.toLocaleString('en')}-event import, same rules`, async () => {
    const imported = await newProject('import');
    const live = await newProject('live');
    const start = Date.UTC(2024, 0, 1);
    // Each user: anonymous pageviews, then an $identify merging the anonymous id into the user.
    const events = Array.from({ length: IMPORT_SIZE }, (_, i) => {
      const user = i % USERS;
      const step = Math.floor(i / USERS);
      const identify = step === 10;
      return {
        event: identify ? '$identify' : '$pageview',
        distinct_id: identify ? `user-${user}` : `anon-${user}`,
        uuid: crypto.randomUUID(),
        timestamp: new Date(start + i * 1000).toISOString(),
        properties: identify
          ? { $anon_distinct_id: `anon-${user}`, $set: { email: `u${user}@x.test` } }
          : { $current_url: `https://x.test/${step}`, n: i },
      };
    });
    for (let i = 0; i < events.length; i += PER_REQUEST) {
      await post({ api_key: imported.api_token, historical_migration: true, batch: events.slice(i, i + PER_REQUEST) });
    }

    // Live traffic after the import was accepted: stored without waiting for it.
    const liveEvents = Array.from({ length: 20 }, (_, i) => ({
      event: 'live',
      distinct_id: `live-${i % 3}`,
      uuid: crypto.randomUUID(),
      properties: { i },
    }));
    await post({ api_key: live.api_token, batch: liveEvents });
    await waitForStored(
      live.id,
      liveEvents.map((e) => e.uuid),
    );
    const importedWhenLiveWasStored = await storedCount(imported.id);
    expect(importedWhenLiveWasStored).toBeLessThan(IMPORT_SIZE);

    // The import completes, exactly once, with the same person rules as live traffic.
    await eventually('the whole import', async () => (await storedCount(imported.id)) === IMPORT_SIZE, {
      timeout: 240_000,
    });
    const sample = events.filter((_, i) => i % 997 === 0).map((e) => e.uuid);
    expect((await storedUuids(imported.id, sample)).size).toBe(sample.length);
    for (const user of [0, 137, USERS - 1]) {
      const person = await personOf(imported.id, `user-${user}`);
      expect(person?.distinctIds).toEqual([`anon-${user}`, `user-${user}`]);
      expect(person?.isIdentified).toBe(true);
      expect(person?.properties).toMatchObject({ email: `u${user}@x.test`, $initial_current_url: 'https://x.test/0' });
    }
    const persons = await (await dbFor(imported.id)).get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM persons WHERE project_id = ${imported.id}`,
    );
    expect(persons.n).toBe(USERS);
  }, 300_000);
});
