import { expect } from 'vitest';
import {
  countProjectRows,
  dbFor,
  ev,
  GZIP_ENCODING,
  inParallel,
  JSON_ENCODING,
  personsOf,
  send,
  shuffle,
  sleep,
} from '../support';

/**
 * A workload whose outcome does not depend on processing order, for the soak
 * and fault tests: users browsing under anonymous ids, identifying, aliasing,
 * and setting properties with keys of their own.
 */
const ANON_IDS_PER_USER = 2;

export interface UserModel {
  user: string;
  distinctIds: string[];
  /** Every person property the events set, with the value it must end with. */
  properties: Record<string, unknown>;
  uuids: Set<string>;
}

export interface SoakEvent {
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
export function scenario(
  random: () => number,
  users: number,
  prefix = 'soak',
): { events: SoakEvent[]; users: UserModel[] } {
  const events: SoakEvent[] = [];
  const models: UserModel[] = [];
  let clock = Date.UTC(2026, 5, 1);
  const make = (model: UserModel, e: Omit<SoakEvent, 'uuid' | 'timestamp'>): SoakEvent => {
    const { event, distinct_id: distinctId, properties, ...top } = e;
    const full: SoakEvent = ev(
      event,
      distinctId,
      { $lib: 'posthog-node', $lib_version: '5.70.0', ...properties },
      { ...top, timestamp: new Date((clock += 7)).toISOString() },
    );
    model.uuids.add(full.uuid);
    events.push(full);
    return full;
  };
  const keyOf = (e: { uuid: string }) => `k_${e.uuid.slice(0, 8)}${e.uuid.slice(-4)}`;
  for (let u = 0; u < users; u++) {
    const user = `${prefix}-user-${u}`;
    const anons = Array.from({ length: ANON_IDS_PER_USER }, (_, j) => `${prefix}-anon-${u}-${j}`);
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
      for (let i = 0; i < 6; i++)
        setting({ event: '$pageview', distinct_id: anon, properties: { $current_path: `/p/${i}` } }, 'properties');
      for (let i = 0; i < 3; i++)
        make(model, {
          event: '$pageview',
          distinct_id: anon,
          properties: { $process_person_profile: false, $set: { ignored: true } },
        });
      const identify = setting(
        { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon } },
        'top',
      );
      identify.$set_once = { plan: 'free' };
    }
    if (random() < 1 / 3) {
      const alias = `${prefix}-alias-${u}`;
      make(model, { event: '$create_alias', distinct_id: user, properties: { alias } });
      model.distinctIds.push(alias);
    }
    for (let i = 0; i < 20; i++) {
      const e = setting({ event: 'order placed', distinct_id: user, properties: { amount: i } }, 'properties');
      if (i % 5 === 0) e.properties.$set_once = { plan: 'free' };
    }
    model.distinctIds.sort();
    models.push(model);
  }
  return { events, users: models };
}

export interface Plan {
  requests: SoakEvent[][];
  resentRequests: number;
  resentEvents: number;
}

/** Shuffled events in 50–100-event requests; ~5% of requests sent again whole, ~5% of events again inside later requests. */
export function requestsOf(events: SoakEvent[], random: () => number): Plan {
  const shuffled = shuffle(events, random);
  const requests: SoakEvent[][] = [];
  for (let i = 0; i < shuffled.length; ) {
    const size = 50 + Math.floor(random() * 51);
    requests.push(shuffled.slice(i, i + size));
    i += size;
  }
  const resent = requests.filter(() => random() < 0.05);
  const again = shuffle(
    events.filter(() => random() < 0.05),
    random,
  );
  const extra: SoakEvent[][] = [];
  for (let i = 0; i < again.length; i += 75) extra.push(again.slice(i, i + 75));
  const all = [...requests];
  for (const r of [...resent, ...extra]) all.splice(Math.floor(random() * (all.length + 1)), 0, r);
  return {
    requests: all,
    resentRequests: resent.length,
    resentEvents: resent.reduce((n, r) => n + r.length, 0) + again.length,
  };
}

/**
 * Sends the requests the way posthog-node does (`POST /batch/`, gzip for every
 * other one), `inFlight` at a time; a 503 is retried as the SDK would. Returns
 * the number of 503 retries.
 */
export async function sendAll(token: string, requests: SoakEvent[][], inFlight: number): Promise<number> {
  let retried = 0;
  await inParallel(requests, inFlight, async (batch, i) => {
    const payload = { api_key: token, batch, sent_at: new Date().toISOString() };
    const options = {
      encoding: i % 2 === 0 ? GZIP_ENCODING : JSON_ENCODING,
      headers: { 'User-Agent': 'posthog-node/5.70.0' },
    };
    for (let attempt = 1; ; attempt++) {
      const res = await send('/batch/', payload, options);
      const text = await res.text();
      if (res.status === 200) return;
      if (res.status !== 503 || attempt >= 10) throw new Error(`request ${i} answered ${res.status}: ${text}`);
      retried += 1;
      await sleep(200 * attempt);
    }
  });
  return retried;
}

/** Exactly these uuids are stored for the project, each once. */
export async function expectStoredExactly(projectId: number, uuids: Set<string>): Promise<void> {
  const rows = await (await dbFor(projectId)).$client
    .prepare('SELECT uuid FROM events WHERE project_id = ?')
    .bind(projectId)
    .all<{ uuid: string }>();
  expect(rows.results.length).toBe(uuids.size);
  const stored = new Set(rows.results.map((r) => r.uuid));
  expect(
    [...uuids].filter((u) => !stored.has(u)),
    'sent but not stored',
  ).toEqual([]);
}

/**
 * One person per user with exactly its distinct ids and exactly the modelled
 * properties (plus a $creator_event_uuid from its own events); no person
 * without ids, no id without a person. Returns the persons by distinct id.
 */
export async function expectPersonsAsModelled(projectId: number, users: UserModel[], extraPersons = 0) {
  const persons = await personsOf(projectId);
  expect(
    persons.filter((x) => x.distinctIds.length === 0),
    'persons without distinct ids',
  ).toEqual([]);
  expect(persons).toHaveLength(users.length + extraPersons);
  const byId = new Map(persons.flatMap((x) => x.distinctIds.map((d) => [d, x] as const)));
  const wrong: string[] = [];
  for (const model of users) {
    const person = byId.get(model.user);
    if (!person) {
      wrong.push(`${model.user}: no person`);
      continue;
    }
    const { $creator_event_uuid: creator, ...properties } = person.properties;
    if (JSON.stringify(person.distinctIds) !== JSON.stringify(model.distinctIds))
      wrong.push(`${model.user}: ids ${person.distinctIds.join(',')}`);
    expect(properties, model.user).toEqual(model.properties);
    if (!model.uuids.has(String(creator)))
      wrong.push(`${model.user}: $creator_event_uuid ${String(creator)} is not one of its events`);
    if (!person.isIdentified) wrong.push(`${model.user}: not identified`);
  }
  expect(wrong).toEqual([]);
  const orphanIds = await countProjectRows(
    projectId,
    'SELECT COUNT(*) AS n FROM person_distinct_ids d WHERE d.project_id = ? AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = d.person_id)',
    projectId,
  );
  expect(orphanIds, 'distinct ids pointing at no person').toBe(0);
  return byId;
}
