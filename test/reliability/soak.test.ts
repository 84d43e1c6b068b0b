import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { api, fetchWorker, newProject } from '../helpers';
import { gzip } from '../capture/helpers';
import { personsOf, warningsOf } from '../ingest/helpers';
import { countRows, inParallel, seededRandom, shuffle, sleep } from './helpers';

/**
 * Soak: tens of thousands of events from many users, sent the way posthog-node
 * sends them (`POST /batch/`, 50–100 events, half gzip), 8 requests in flight,
 * about a tenth of them sent twice as SDK retries do. Afterwards the store must
 * hold each distinct uuid exactly once and every person exactly as the model says.
 */
export const SOAK = { users: 750, anonIdsPerUser: 2, inFlight: 8, seed: 7_351 };

interface UserModel {
  user: string;
  distinctIds: string[];
  /** Every person property the events set, with the value it must end with. */
  properties: Record<string, unknown>;
  uuids: Set<string>;
}

interface SoakEvent {
  event: string;
  distinct_id: string;
  uuid: string;
  timestamp: string;
  properties: Record<string, unknown>;
  $set?: Record<string, unknown>;
  $set_once?: Record<string, unknown>;
}

/**
 * Each user browses under two anonymous ids ($set with a key of its own on each
 * event, plus person-less page views whose $set must be ignored), identifies
 * with each, may create an alias, and sends events of its own. Unique keys and
 * constant $set_once values make the final person the same in every processing order.
 */
function scenario(random: () => number): { events: SoakEvent[]; users: UserModel[] } {
  const events: SoakEvent[] = [];
  const users: UserModel[] = [];
  let clock = Date.UTC(2026, 5, 1);
  const make = (model: UserModel, e: Omit<SoakEvent, 'uuid' | 'timestamp'>): SoakEvent => {
    const full = { ...e, uuid: crypto.randomUUID(), timestamp: new Date((clock += 7)).toISOString() };
    full.properties = { $lib: 'posthog-node', $lib_version: '5.70.0', ...full.properties };
    model.uuids.add(full.uuid);
    events.push(full);
    return full;
  };
  const keyOf = (e: { uuid: string }) => `k_${e.uuid.slice(0, 8)}${e.uuid.slice(-4)}`;
  for (let u = 0; u < SOAK.users; u++) {
    const user = `soak-user-${u}`;
    const anons = Array.from({ length: SOAK.anonIdsPerUser }, (_, j) => `soak-anon-${u}-${j}`);
    const model: UserModel = { user, distinctIds: [user, ...anons], properties: { plan: 'free' }, uuids: new Set() };
    const setting = (e: Omit<SoakEvent, 'uuid' | 'timestamp'>, where: 'properties' | 'top') => {
      const made = make(model, e);
      const key = keyOf(made);
      if (where === 'top') made.$set = { [key]: made.uuid };
      else made.properties.$set = { [key]: made.uuid };
      model.properties[key] = made.uuid;
      return made;
    };
    for (const anon of anons) {
      for (let i = 0; i < 6; i++) setting({ event: '$pageview', distinct_id: anon, properties: { $current_path: `/p/${i}` } }, 'properties');
      for (let i = 0; i < 3; i++) make(model, { event: '$pageview', distinct_id: anon, properties: { $process_person_profile: false, $set: { ignored: true } } });
      const identify = setting({ event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon } }, 'top');
      identify.$set_once = { plan: 'free' };
    }
    if (random() < 1 / 3) {
      const alias = `soak-alias-${u}`;
      make(model, { event: '$create_alias', distinct_id: user, properties: { alias } });
      model.distinctIds.push(alias);
    }
    for (let i = 0; i < 20; i++) {
      const e = setting({ event: 'order placed', distinct_id: user, properties: { amount: i } }, 'properties');
      if (i % 5 === 0) e.properties.$set_once = { plan: 'free' };
    }
    model.distinctIds.sort();
    users.push(model);
  }
  return { events, users };
}

interface Plan {
  requests: SoakEvent[][];
  resentRequests: number;
  resentEvents: number;
}

/** Shuffled events in 50–100-event requests; ~5% of requests sent again whole, ~5% of events again inside later requests. */
function requestsOf(events: SoakEvent[], random: () => number): Plan {
  const shuffled = shuffle(events, random);
  const requests: SoakEvent[][] = [];
  for (let i = 0; i < shuffled.length; ) {
    const size = 50 + Math.floor(random() * 51);
    requests.push(shuffled.slice(i, i + size));
    i += size;
  }
  const resent = requests.filter(() => random() < 0.05);
  const again = shuffle(events.filter(() => random() < 0.05), random);
  const extra: SoakEvent[][] = [];
  for (let i = 0; i < again.length; i += 75) extra.push(again.slice(i, i + 75));
  const all = [...requests];
  for (const r of [...resent, ...extra]) all.splice(Math.floor(random() * (all.length + 1)), 0, r);
  return { requests: all, resentRequests: resent.length, resentEvents: resent.reduce((n, r) => n + r.length, 0) + again.length };
}

it('stores every one of tens of thousands of events exactly once, under concurrency and re-sends, with every person right', async () => {
  const started = Date.now();
  const random = seededRandom(SOAK.seed);
  const p = await newProject('soak');
  const { events, users } = scenario(random);
  const { requests, resentRequests, resentEvents } = requestsOf(events, random);
  const distinct = new Set(events.map((e) => e.uuid));
  expect(distinct.size).toBe(events.length);
  expect(events.length).toBeGreaterThanOrEqual(20_000);

  let retried = 0;
  await inParallel(requests, SOAK.inFlight, async (batch, i) => {
    const json = JSON.stringify({ api_key: p.api_token, batch, sent_at: new Date().toISOString() });
    const zipped = i % 2 === 0;
    const body = zipped ? await gzip(json) : json;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'posthog-node/5.70.0' };
    if (zipped) headers['Content-Encoding'] = 'gzip';
    // As the SDK does: a 503 (queue busy) is retried; anything else non-200 is a failure.
    for (let attempt = 1; ; attempt++) {
      const res = await fetchWorker('/batch/', { method: 'POST', body, headers });
      const text = await res.text();
      if (res.status === 200) return;
      if (res.status !== 503 || attempt >= 10) throw new Error(`request ${i} answered ${res.status}: ${text}`);
      retried += 1;
      await sleep(200 * attempt);
    }
  });
  const sentAt = Date.now();

  // Wait for the consumer: the count must reach the number of distinct uuids and stay there.
  const count = () => countRows('SELECT COUNT(*) AS n FROM events WHERE project_id = ?', p.id);
  let stored = 0;
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline && (stored = await count()) < distinct.size) await sleep(500);
  expect(stored, 'events stored').toBe(distinct.size);
  await sleep(1_500);
  expect(await count(), 'events stored, after the queue settled').toBe(distinct.size);

  const rows = await env.DB.prepare('SELECT uuid FROM events WHERE project_id = ?').bind(p.id).all<{ uuid: string }>();
  const storedUuids = new Set(rows.results.map((r) => r.uuid));
  expect(storedUuids.size).toBe(distinct.size);
  expect([...distinct].filter((u) => !storedUuids.has(u))).toEqual([]);

  // Persons: one per user, with exactly its distinct ids and exactly the properties the model gives.
  const persons = await personsOf(p.id);
  expect(persons.filter((x) => x.distinctIds.length === 0), 'persons without distinct ids').toEqual([]);
  expect(persons).toHaveLength(users.length);
  const byId = new Map(persons.flatMap((x) => x.distinctIds.map((d) => [d, x] as const)));
  const wrong: string[] = [];
  for (const model of users) {
    const person = byId.get(model.user);
    if (!person) {
      wrong.push(`${model.user}: no person`);
      continue;
    }
    const { $creator_event_uuid: creator, ...properties } = person.properties;
    if (JSON.stringify(person.distinctIds) !== JSON.stringify(model.distinctIds)) wrong.push(`${model.user}: ids ${person.distinctIds.join(',')}`);
    expect(properties, model.user).toEqual(model.properties);
    if (!model.uuids.has(String(creator))) wrong.push(`${model.user}: $creator_event_uuid ${String(creator)} is not one of its events`);
    if (!person.isIdentified) wrong.push(`${model.user}: not identified`);
  }
  expect(wrong).toEqual([]);
  expect(await warningsOf(p.id)).toEqual([]);
  const orphanIds = await countRows(
    'SELECT COUNT(*) AS n FROM person_distinct_ids d WHERE d.project_id = ? AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = d.person_id)',
    p.id,
  );
  expect(orphanIds, 'distinct ids pointing at no person').toBe(0);

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
