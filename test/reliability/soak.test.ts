import { expect, it } from 'vitest';
import { api, newProject, seededRandom, waitForEventCount, warningsOf } from '../support';
import { expectPersonsAsModelled, expectStoredExactly, requestsOf, scenario, sendAll } from './workload';

/**
 * Soak: tens of thousands of events from many users, sent the way posthog-node
 * sends them (`POST /batch/`, 50–100 events, half gzip), 8 requests in flight,
 * about a tenth of them sent twice as SDK retries do. Afterwards the store must
 * hold each distinct uuid exactly once and every person exactly as the model says.
 */
const SOAK = { users: 750, inFlight: 8, seed: 7_351 };

it('stores every one of tens of thousands of events exactly once, under concurrency and re-sends, with every person right', async () => {
  const started = Date.now();
  const random = seededRandom(SOAK.seed);
  const p = await newProject('soak');
  const { events, users } = scenario(random, SOAK.users);
  const { requests, resentRequests, resentEvents } = requestsOf(events, random);
  const distinct = new Set(events.map((e) => e.uuid));
  expect(distinct.size).toBe(events.length);
  expect(events.length).toBeGreaterThanOrEqual(20_000);

  const retried = await sendAll(p.api_token, requests, SOAK.inFlight);
  const sentAt = Date.now();

  await waitForEventCount(p.id, distinct.size, 150_000);
  await expectStoredExactly(p.id, distinct);
  const byId = await expectPersonsAsModelled(p.id, users);
  expect(await warningsOf(p.id)).toEqual([]);

  // Through the REST API, a sample of persons lists exactly their own events (all ids, before and after merges).
  for (const model of users.slice(0, 3)) {
    const person = byId.get(model.user)!;
    const res = await api(`/api/projects/${p.id}/events/?person_id=${person.id}&limit=1000`);
    const listed = (await res.json<{ results: { id: string }[] }>()).results.map((e) => e.id).sort();
    expect(listed).toEqual([...model.uuids].sort());
  }

  console.log(
    `soak: ${events.length} distinct events from ${users.length} users (${users.reduce((n, u) => n + u.distinctIds.length, 0)} distinct ids) in ${requests.length} requests, ` +
      `${resentRequests} requests and ${resentEvents} events sent twice, ${retried} 503 retries; ` +
      `sent in ${((sentAt - started) / 1000).toFixed(1)} s, all stored after ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 240_000);
