import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { newProject, ev, personOf, personsOf, waitForStored } from '../support';

it('stores queued events and builds persons', async () => {
  const p = await newProject();
  const e1 = ev('$pageview', 'anon-1', { $set: { a: 1 }, $current_url: 'https://x.test/' });
  const e2 = ev('$identify', 'user-1', { $anon_distinct_id: 'anon-1', $set: { email: 'u@x.test' } });
  const e3 = ev('$pageview', 'anon-2', { $process_person_profile: false, $set: { nope: 1 } });
  await env.INGEST_QUEUE.send({ projectId: p.id, events: [e1, e2, e3] });
  await waitForStored(p.id, [e1.uuid, e2.uuid, e3.uuid]);
  const persons = await personsOf(p.id);
  expect(persons).toHaveLength(1);
  const user = await personOf(p.id, 'user-1');
  expect(user?.distinctIds).toEqual(['anon-1', 'user-1']);
  expect(user?.isIdentified).toBe(true);
  expect(user?.properties).toMatchObject({ a: 1, email: 'u@x.test', $initial_current_url: 'https://x.test/' });
});
