import { abortAllDurableObjects, listDurableObjectIds, runInDurableObject } from 'cloudflare:test';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { uuidFromDistinctId } from '../../src/identity';
import {
  clearD1Faults,
  countProjectRows,
  env,
  ev,
  injectD1Faults,
  installD1Faults,
  newProject,
  POISON,
  seededRandom,
  send,
  sleep,
  TRANSIENT_FAULT,
  waitForEventCount,
  warningsOf,
  type ProjectJson,
} from '../support';
import {
  expectPersonsAsModelled,
  expectStoredExactly,
  requestsOf,
  scenario,
  sendAll,
  type SoakEvent,
  type UserModel,
} from './workload';

/**
 * Faults come in phases, each opening with a wave of requests. A D1 phase is
 * shorter than the queue's 1 s retry delay, so a message fails at most once per
 * phase, and with fewer phases than its 5 retries only the poison can exhaust
 * them; an object storm cuts off only a handful of calls in all.
 */
const FAULTS = {
  /** Person writes fail often; event rows rarely (a failed person-less write retries the project's whole batch). */
  d1: {
    users: 60,
    oneIn: { persons: 3, person_distinct_ids: 3, person_merges: 3, events: 400 },
    phases: 2,
    onMs: 900,
    offMs: 2_500,
    seed: 11,
  },
  /** A storm lasts until it has cut off `hitsPerStorm` consumer calls, or `maxStormMs`. */
  objects: {
    users: 60,
    personWritesOneIn: 20,
    phases: 2,
    minStormMs: 900,
    maxStormMs: 2_500,
    hitsPerStorm: 3,
    killsPerRound: 12,
    roundMs: 50,
    quietMs: 2_500,
    seed: 12,
  },
};

/** The requests in `n` waves, in order. */
const waves = <T>(items: T[], n: number): T[][] =>
  Array.from({ length: n }, (_, i) =>
    items.slice(Math.floor((i * items.length) / n), Math.floor(((i + 1) * items.length) / n)),
  );

let consumerErrors: string[] = [];

beforeAll(async () => {
  await installD1Faults();
  const record =
    (original: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      consumerErrors.push(
        args
          .map((a) =>
            a instanceof Error ? `${a.message} ${String((a as { cause?: unknown }).cause ?? '')}` : String(a),
          )
          .join(' ')
          .slice(0, 400),
      );
      original(...args);
    };
  const [error, warn] = [console.error.bind(console), console.warn.bind(console)];
  vi.spyOn(console, 'error').mockImplementation(record(error));
  vi.spyOn(console, 'warn').mockImplementation(record(warn));
});

afterEach(() => clearD1Faults());

afterAll(() => {
  vi.restoreAllMocks();
});

/** Every write of the project to each table fails with probability 1/n. */
const flaky = (projectId: number, oneIn: Record<string, number>) =>
  injectD1Faults(
    projectId,
    Object.entries(oneIn).map(([table, n]) => ({ table, oneIn: n })),
  );
const steady = (projectId: number) => clearD1Faults(projectId);

/** The poison: a $set no person write can ever take, alone in its request (one queue message). */
async function sendPoison(p: ProjectJson): Promise<SoakEvent> {
  const poison: SoakEvent = ev('$set', 'rel-poisoned', { $set: POISON });
  const res = await send('/batch/', { api_key: p.api_token, batch: [poison] });
  expect(res.status).toBe(200);
  return poison;
}

/** After all retries, the poison is stored without person processing, with the dead-letter warning, and nothing else warned. */
async function expectPoisonDeadLettered(p: ProjectJson, poison: SoakEvent): Promise<void> {
  const warnings = await warningsOf(p.id);
  expect(warnings.map((w) => [w.type, w.eventUuid])).toEqual([['ingestion_retries_exhausted', poison.uuid]]);
  expect(warnings[0]!.details).toMatchObject({
    eventUuid: poison.uuid,
    event: '$set',
    distinctId: 'rel-poisoned',
    attempts: expect.any(Number),
  });
  expect(
    await countProjectRows(
      p.id,
      'SELECT COUNT(*) AS n FROM person_distinct_ids WHERE project_id = ? AND distinct_id = ?',
      p.id,
      'rel-poisoned',
    ),
  ).toBe(0);
}

/** A merge is all or nothing: no merged-away person left, no history without its event, nothing recorded twice. */
async function expectNoHalfMerges(projectId: number): Promise<void> {
  const leftovers = await countProjectRows(
    projectId,
    `SELECT COUNT(*) AS n FROM person_merges m WHERE m.project_id = ? AND m.kind = 'merge'
       AND (EXISTS (SELECT 1 FROM persons p WHERE p.id = m.source_person_id)
         OR EXISTS (SELECT 1 FROM person_distinct_ids d WHERE d.person_id = m.source_person_id))`,
    projectId,
  );
  expect(leftovers, 'merge records whose source person or ids survived').toBe(0);
  const withoutEvent = await countProjectRows(
    projectId,
    `SELECT COUNT(*) AS n FROM person_merges m WHERE m.project_id = ? AND m.event_uuid IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.project_id = m.project_id AND e.uuid = m.event_uuid)`,
    projectId,
  );
  expect(withoutEvent, 'merge or identify records without their event').toBe(0);
  const twice = await countProjectRows(
    projectId,
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM person_merges WHERE project_id = ? AND event_uuid IS NOT NULL GROUP BY event_uuid, kind HAVING COUNT(*) > 1)`,
    projectId,
  );
  expect(twice, 'events whose merge or identification was recorded twice').toBe(0);
  const merges = await countProjectRows(
    projectId,
    `SELECT COUNT(*) AS n FROM person_merges WHERE project_id = ? AND kind = 'merge'`,
    projectId,
  );
  expect(merges, 'the workload merges persons').toBeGreaterThan(0);
}

/** After a fault run: every good event stored once, every person as modelled, the poison dead-lettered, no half merge. */
async function expectSurvivedFaults(
  p: ProjectJson,
  events: SoakEvent[],
  users: UserModel[],
  poison: SoakEvent | undefined,
): Promise<void> {
  if (!poison) throw new Error('the poison was not sent');
  const all = new Set([...events.map((e) => e.uuid), poison.uuid]);
  await waitForEventCount(p.id, all.size, 120_000);
  await steady(p.id);
  await expectStoredExactly(p.id, all);
  await expectPersonsAsModelled(p.id, users);
  await expectPoisonDeadLettered(p, poison);
  await expectNoHalfMerges(p.id);
}

describe('faults during consumer batches', () => {
  it('transient D1 failures in every person write, in pulses, and one permanently failing message: every good event once, the poison dead-lettered with a warning, no half merge', async () => {
    const cfg = FAULTS.d1;
    consumerErrors = [];
    const p = await newProject('d1 faults');
    const random = seededRandom(cfg.seed);
    const { events, users } = scenario(random, cfg.users, 'flaky');
    const { requests } = requestsOf(events, random);

    let poison: SoakEvent | undefined;
    for (const [i, wave] of waves(requests, cfg.phases).entries()) {
      await flaky(p.id, cfg.oneIn);
      const sending = (async () => {
        if (i === 0) poison = await sendPoison(p);
        await sendAll(p.api_token, wave, 4);
      })();
      await sleep(cfg.onMs);
      await steady(p.id);
      await sending;
      await sleep(cfg.offMs);
    }
    await expectSurvivedFaults(p, events, users, poison);
    const injected = consumerErrors.filter((e) => e.includes(TRANSIENT_FAULT));
    // Person writes fail in either commit path: the batched commit of uncontended persons, or a person object's write.
    const inPersonWrites = injected.filter(
      (e) => e.includes('person processing failed') || e.includes('batched person commit failed'),
    );
    console.log(
      `D1 faults: ${events.length} events in ${requests.length} requests, ${injected.length} consumer failures from injected transient faults (${inPersonWrites.length} in person writes), 1 poison message dead-lettered`,
    );
    expect(inPersonWrites.length, 'transient faults in person writes that reached the consumer').toBeGreaterThan(0);
  }, 180_000);

  it('person objects aborted again and again while batches run: every event once, every person right, no half merge', async () => {
    const cfg = FAULTS.objects;
    consumerErrors = [];
    const p = await newProject('object faults');
    const random = seededRandom(cfg.seed);
    const { events, users } = scenario(random, cfg.users, 'killed');
    const { requests } = requestsOf(events, random);
    const objectsBefore = (await listDurableObjectIds(env.PERSON)).length;

    // The person object of a distinct id (its person's uuid, for persons created for it).
    const objectOf = (distinctId: string) =>
      env.PERSON.get(env.PERSON.idFromName(uuidFromDistinctId(p.id, distinctId)));
    let kills = 0;
    const hits = () => consumerErrors.filter((e) => e.includes('injected person object abort')).length;
    let poison: SoakEvent | undefined;
    for (const [i, wave] of waves(requests, cfg.phases).entries()) {
      // Occasional person-write failures make the consumer's batched commit fall back to the person objects.
      await flaky(p.id, { persons: cfg.personWritesOneIn });
      const sending = (async () => {
        if (i === 0) poison = await sendPoison(p);
        await sendAll(p.api_token, wave, 4);
      })();
      const ids = [
        ...new Set(
          wave.flat().flatMap((e) => [e.distinct_id, String(e.properties.$anon_distinct_id ?? e.distinct_id)]),
        ),
      ];
      const stormStart = Date.now();
      const hitsBefore = hits();
      await abortAllDurableObjects();
      while (
        Date.now() < stormStart + cfg.minStormMs ||
        (Date.now() < stormStart + cfg.maxStormMs && hits() - hitsBefore < cfg.hitsPerStorm)
      ) {
        // Each abort makes a fresh instance, and every instance costs the test harness a little more
        // (workers-sdk issue 15092), so a sample of the wave's objects per round, not all of them.
        const victims = Array.from({ length: cfg.killsPerRound }, () => ids[Math.floor(random() * ids.length)]!);
        await Promise.all(
          victims.map((d) =>
            runInDurableObject(objectOf(d), (_instance, state) => {
              kills += 1;
              state.abort('injected person object abort');
            }).catch(() => undefined),
          ),
        );
        await sleep(cfg.roundMs);
      }
      await steady(p.id);
      await sending;
      await sleep(cfg.quietMs);
    }
    await expectSurvivedFaults(p, events, users, poison);

    const objectsUsed = (await listDurableObjectIds(env.PERSON)).length - objectsBefore;
    expect(objectsUsed, 'person objects that took part').toBeGreaterThan(0);
    console.log(
      `person-object faults: ${events.length} events, ${kills} person objects aborted (and all of them reset ${cfg.phases} times), ${objectsUsed} objects used, ${hits()} consumer failures from aborted objects`,
    );
    expect(hits(), 'consumer calls cut off by an aborted person object').toBeGreaterThan(0);
  }, 180_000);
});
