import { describe, expect, it } from 'vitest';
import { uuidFromDistinctId } from '../../src/identity';
import {
  api,
  capture,
  ev,
  eventually,
  getJson,
  newProject,
  type EventJson,
  type PersonJson,
  type ProjectJson,
} from '../support';

/**
 * End to end: events go in through capture (`POST /batch/`), the queue consumer
 * and the person objects store them, and the REST API reads them back.
 */

type SentEvent = ReturnType<typeof ev>;

const eventsOf = async (projectId: number, query = '') =>
  (await getJson<{ results: EventJson[] }>(`/api/projects/${projectId}/events/?limit=1000${query}`)).results;

/** Captures the events and waits until the REST API lists every one of them. */
async function captureAndWait(project: ProjectJson, batch: SentEvent[]): Promise<void> {
  await capture(project.api_token, batch);
  await eventually(`${batch.length} events stored`, async () => {
    const stored = new Set((await eventsOf(project.id)).map((e) => e.id));
    return batch.every((e) => stored.has(e.uuid));
  });
}

const personOf = async (projectId: number, distinctId: string) =>
  (
    await getJson<{ results: PersonJson[] }>(
      `/api/projects/${projectId}/persons/?distinct_id=${encodeURIComponent(distinctId)}`,
    )
  ).results[0];

describe('REST reads after ingestion', () => {
  it('after a merge, person_id=<survivor> lists the events sent earlier under the merged-away id', async () => {
    const project = await newProject();
    const anonymous = [
      ev('$pageview', 'anon-1', { $current_url: 'https://shop.test/' }),
      ev('added to cart', 'anon-1'),
    ];
    const known = [ev('$pageview', 'user-1')];
    await captureAndWait(project, [...anonymous, ...known]);
    const anonPerson = await personOf(project.id, 'anon-1');
    const survivor = uuidFromDistinctId(project.id, 'user-1');
    expect(anonPerson?.id).toBe(uuidFromDistinctId(project.id, 'anon-1'));
    expect((await personOf(project.id, 'user-1'))?.id).toBe(survivor);

    const identify = ev('$identify', 'user-1', { $anon_distinct_id: 'anon-1', $set: { email: 'u1@shop.test' } });
    await captureAndWait(project, [identify]);

    const merged = await getJson<PersonJson>(`/api/projects/${project.id}/persons/${survivor}/`);
    expect(merged.distinct_ids.sort()).toEqual(['anon-1', 'user-1']);
    expect(merged.is_identified).toBe(true);
    expect(merged.properties).toMatchObject({ email: 'u1@shop.test' });
    expect((await api(`/api/projects/${project.id}/persons/${anonPerson!.id}/`)).status).toBe(404);

    const timeline = await eventsOf(project.id, `&person_id=${survivor}`);
    expect(timeline.map((e) => e.id)).toEqual(expectedOrder([...anonymous, ...known, identify]));
    expect(timeline.every((e) => e.person_id === survivor)).toBe(true);
    expect(await eventsOf(project.id, `&person_id=${anonPerson!.id}`)).toEqual([]);

    const history = await getJson<{
      results: { kind: string; source_person_id: string; target_person_id: string; event_uuid: string }[];
    }>(`/api/projects/${project.id}/persons/${survivor}/history/`);
    expect(history.results).toContainEqual(
      expect.objectContaining({
        kind: 'merge',
        source_person_id: anonPerson!.id,
        target_person_id: survivor,
        event_uuid: identify.uuid,
      }),
    );
  });

  it('after a split, new events of a split-off id go to its new person', async () => {
    const project = await newProject();
    const before = [
      ev('$identify', 'user-2', { $anon_distinct_id: 'anon-2' }),
      ev('$pageview', 'anon-2'),
      ev('$pageview', 'user-2'),
    ];
    await captureAndWait(project, before);
    const person = await eventually('one person owning both ids', async () => {
      const p = await personOf(project.id, 'user-2');
      return p && p.distinct_ids.length === 2 ? p : undefined;
    });
    expect((await personOf(project.id, 'anon-2'))?.id).toBe(person.id);

    const split = await api(`/api/projects/${project.id}/persons/${person.id}/split/`, {
      method: 'POST',
      json: { main_distinct_id: 'user-2' },
    });
    expect(split.status).toBe(201);
    const splitOff = await personOf(project.id, 'anon-2');
    expect(splitOff?.id).not.toBe(person.id);
    expect(splitOff).toMatchObject({ distinct_ids: ['anon-2'], properties: {}, is_identified: false });

    const after = [ev('$pageview', 'anon-2', { $set: { device: 'tablet' } }), ev('$pageview', 'user-2')];
    await captureAndWait(project, after);

    const splitOffEvents = await eventsOf(project.id, `&person_id=${splitOff!.id}`);
    expect(splitOffEvents.map((e) => e.id)).toEqual(expectedOrder([before[1]!, after[0]!]));
    const mainEvents = await eventsOf(project.id, `&person_id=${person.id}`);
    expect(mainEvents.map((e) => e.id)).toEqual(expectedOrder([before[0]!, before[2]!, after[1]!]));
    const byUuid = new Map((await eventsOf(project.id)).map((e) => [e.id, e.person_id]));
    expect(byUuid.get(after[0]!.uuid)).toBe(splitOff!.id);
    expect(byUuid.get(after[1]!.uuid)).toBe(person.id);
    await eventually('the new person to get the $set', async () =>
      (await personOf(project.id, 'anon-2'))?.properties.device === 'tablet' ? true : undefined,
    );
    expect((await personOf(project.id, 'anon-2'))?.id).toBe(splitOff!.id);
  });
});

/** Uuids newest first, as the events endpoint orders them. */
function expectedOrder(sent: SentEvent[]): string[] {
  return [...sent]
    .sort((a, b) => (a.timestamp === b.timestamp ? (a.uuid < b.uuid ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1))
    .map((e) => e.uuid);
}
