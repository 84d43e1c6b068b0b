import { describe, expect, it } from 'vitest';
import { uuidFromDistinctId } from '../../src/identity';
import { fetchWorker, type ProjectJson } from '../helpers';
import { api, getJson, newProject } from './seed';

/**
 * End to end: events go in through capture (`POST /batch/`), the queue consumer
 * and the person objects store them, and the REST API reads them back.
 */

interface EventJson {
  id: string;
  event: string;
  distinct_id: string;
  person_id: string;
}
interface PersonJson {
  id: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  is_identified: boolean;
}

let seq = 0;
const event = (name: string, distinctId: string, properties: Record<string, unknown> = {}) => {
  seq += 1;
  return {
    uuid: crypto.randomUUID(),
    event: name,
    distinct_id: distinctId,
    properties,
    // distinct, increasing timestamps so "newest first" is well defined
    timestamp: new Date(Date.now() - 60_000 + seq).toISOString(),
  };
};

async function capture(project: ProjectJson, batch: ReturnType<typeof event>[]): Promise<void> {
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: project.api_token, batch }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const eventsOf = async (projectId: number, query = '') =>
  (await getJson<{ results: EventJson[] }>(`/api/projects/${projectId}/events/?limit=1000${query}`)).results;

/** Captures the events and waits until the REST API lists every one of them. */
async function captureAndWait(project: ProjectJson, batch: ReturnType<typeof event>[]): Promise<void> {
  await capture(project, batch);
  await waitFor(`${batch.length} events stored`, async () => {
    const stored = new Set((await eventsOf(project.id)).map((e) => e.id));
    return batch.every((e) => stored.has(e.uuid)) ? true : undefined;
  });
}

const personOf = async (projectId: number, distinctId: string) =>
  (await getJson<{ results: PersonJson[] }>(`/api/projects/${projectId}/persons/?distinct_id=${encodeURIComponent(distinctId)}`)).results[0];

describe('REST reads after ingestion', () => {
  it('after a merge, person_id=<survivor> lists the events sent earlier under the merged-away id', async () => {
    const project = await newProject();
    const anonymous = [event('$pageview', 'anon-1', { $current_url: 'https://shop.test/' }), event('added to cart', 'anon-1')];
    const known = [event('$pageview', 'user-1')];
    await captureAndWait(project, [...anonymous, ...known]);
    const anonPerson = await personOf(project.id, 'anon-1');
    const survivor = uuidFromDistinctId(project.id, 'user-1');
    expect(anonPerson?.id).toBe(uuidFromDistinctId(project.id, 'anon-1'));
    expect((await personOf(project.id, 'user-1'))?.id).toBe(survivor);

    const identify = event('$identify', 'user-1', { $anon_distinct_id: 'anon-1', $set: { email: 'u1@shop.test' } });
    await captureAndWait(project, [identify]);

    const merged = await getJson<PersonJson>(`/api/projects/${project.id}/persons/${survivor}/`);
    expect(merged.distinct_ids.sort()).toEqual(['anon-1', 'user-1']);
    expect(merged.is_identified).toBe(true);
    expect(merged.properties).toMatchObject({ email: 'u1@shop.test' });
    expect((await api(`/api/projects/${project.id}/persons/${anonPerson!.id}/`)).status).toBe(404);

    const timeline = await eventsOf(project.id, `&person_id=${survivor}`);
    expect(timeline.map((e) => e.id)).toEqual(expectedOrder([...anonymous, ...known, identify]));
    expect(timeline.every((e) => e.person_id === survivor)).toBe(true);
    expect((await eventsOf(project.id, `&person_id=${anonPerson!.id}`))).toEqual([]);

    const history = await getJson<{ results: { kind: string; source_person_id: string; target_person_id: string; event_uuid: string }[] }>(
      `/api/projects/${project.id}/persons/${survivor}/history/`,
    );
    expect(history.results).toContainEqual(
      expect.objectContaining({ kind: 'merge', source_person_id: anonPerson!.id, target_person_id: survivor, event_uuid: identify.uuid }),
    );
  });

  it('after a split, new events of a split-off id go to its new person', async () => {
    const project = await newProject();
    const before = [event('$identify', 'user-2', { $anon_distinct_id: 'anon-2' }), event('$pageview', 'anon-2'), event('$pageview', 'user-2')];
    await captureAndWait(project, before);
    const person = await waitFor('one person owning both ids', async () => {
      const p = await personOf(project.id, 'user-2');
      return p && p.distinct_ids.length === 2 ? p : undefined;
    });
    expect((await personOf(project.id, 'anon-2'))?.id).toBe(person.id);

    const split = await api(`/api/projects/${project.id}/persons/${person.id}/split/`, { method: 'POST', json: { main_distinct_id: 'user-2' } });
    expect(split.status).toBe(201);
    const splitOff = await personOf(project.id, 'anon-2');
    expect(splitOff?.id).not.toBe(person.id);
    expect(splitOff).toMatchObject({ distinct_ids: ['anon-2'], properties: {}, is_identified: false });

    const after = [event('$pageview', 'anon-2', { $set: { device: 'tablet' } }), event('$pageview', 'user-2')];
    await captureAndWait(project, after);

    const splitOffEvents = await eventsOf(project.id, `&person_id=${splitOff!.id}`);
    expect(splitOffEvents.map((e) => e.id)).toEqual(expectedOrder([before[1]!, after[0]!]));
    const mainEvents = await eventsOf(project.id, `&person_id=${person.id}`);
    expect(mainEvents.map((e) => e.id)).toEqual(expectedOrder([before[0]!, before[2]!, after[1]!]));
    const byUuid = new Map((await eventsOf(project.id)).map((e) => [e.id, e.person_id]));
    expect(byUuid.get(after[0]!.uuid)).toBe(splitOff!.id);
    expect(byUuid.get(after[1]!.uuid)).toBe(person.id);
    await waitFor('the new person to get the $set', async () =>
      (await personOf(project.id, 'anon-2'))?.properties.device === 'tablet' ? true : undefined,
    );
    expect((await personOf(project.id, 'anon-2'))?.id).toBe(splitOff!.id);
  });
});

/** Uuids newest first, as the events endpoint orders them. */
function expectedOrder(sent: ReturnType<typeof event>[]): string[] {
  return [...sent].sort((a, b) => (a.timestamp === b.timestamp ? (a.uuid < b.uuid ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1)).map((e) => e.uuid);
}
