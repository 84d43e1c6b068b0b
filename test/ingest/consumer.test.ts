// The queue consumer driven directly (as in the workers-sdk queues example): a MessageBatch made
// with `createMessageBatch`, the Worker's own `queue` handler, and `getQueueResult` for what it
// acked and what it asked to retry.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import type { QueueBody } from '../../src/queue/message';
import { projectDatabase } from '../../src/db/shards';
import { decodePropertyWrites } from '../../src/db/property-writes-column';
import {
  clearD1Faults,
  env,
  ev,
  injectD1Faults,
  installD1Faults,
  newProject,
  personOf,
  POISON,
  storedUuids,
  warningsOf,
  type TestEvent,
} from '../support';

beforeAll(installD1Faults);
afterEach(() => clearD1Faults());

/** A message as the queue delivers it (workers-types' ServiceBindingQueueMessage, body form). */
interface QueueMessage {
  id: string;
  timestamp: Date;
  attempts: number;
  body: QueueBody;
}

let sequence = 0;
const message = (projectId: number, events: TestEvent[], attempts = 1): QueueMessage => ({
  id: `msg-${++sequence}`,
  timestamp: new Date(),
  attempts,
  body: { projectId, events },
});

/** The message with its body as capture sends it: the JSON as bytes. */
const asBytes = (m: QueueMessage): QueueMessage => ({ ...m, body: new TextEncoder().encode(JSON.stringify(m.body)) });

/** Runs the Worker's queue handler on one batch; what it acked and retried. */
async function consume(queue: 'ingest' | 'ingest-dlq', messages: QueueMessage[]) {
  const batch = createMessageBatch<QueueBody>(queue, messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('queue consumer', () => {
  it('acks every message once its events are stored and its persons built', async () => {
    const p = await newProject('consumer ack');
    const first = [
      ev('$pageview', 'anon-c1', { $set: { a: 1 } }),
      ev('$identify', 'user-c1', { $anon_distinct_id: 'anon-c1' }),
    ];
    const second = [ev('$pageview', 'visitor-c1', { $process_person_profile: false })];
    const [m1, m2] = [message(p.id, first), asBytes(message(p.id, second))];

    const result = await consume('ingest', [m1, m2]);

    expect(result.outcome).toBe('ok');
    expect(result.ackAll).toBe(false);
    expect(result.retryBatch).toEqual({ retry: false });
    expect([...result.explicitAcks].sort()).toEqual([m1.id, m2.id].sort());
    expect(result.retryMessages).toEqual([]);
    expect(
      await storedUuids(
        p.id,
        [...first, ...second].map((e) => e.uuid),
      ),
    ).toEqual(new Set([...first, ...second].map((e) => e.uuid)));
    expect((await personOf(p.id, 'anon-c1'))?.distinctIds).toEqual(['anon-c1', 'user-c1']);
  });

  it('stores JSON columns as the JSON text of their values: floats, escapes and nesting exact', async () => {
    const p = await newProject('consumer json text');
    const tricky = {
      f: 1.0000000000000002,
      big: 2 ** 60,
      tiny: 1e-7,
      s: 'é"\\\n\u2028😀',
      nested: [1, { a: null, b: [true, -2.5] }],
    };
    const first = ev('$pageview', 'json-text-1', { ...tricky, $set: { tricky } });
    const second = ev('$pageview', 'json-text-1', { $set: { again: tricky } });
    await consume('ingest', [message(p.id, [first])]);
    await consume('ingest', [message(p.id, [second])]);
    const db = await projectDatabase(env, p.id);
    const event = await db
      .prepare('SELECT properties FROM events WHERE project_id = ? AND uuid = ?')
      .bind(p.id, first.uuid)
      .first<{ properties: string }>();
    expect(event!.properties).toBe(JSON.stringify(JSON.parse(event!.properties)));
    expect(JSON.parse(event!.properties)).toMatchObject(tricky);
    const person = await db
      .prepare(
        `SELECT p.properties, p.property_writes FROM persons p JOIN person_distinct_ids d ON d.person_id = p.id
          WHERE d.project_id = ? AND d.distinct_id = ?`,
      )
      .bind(p.id, 'json-text-1')
      .first<{ properties: string; property_writes: string }>();
    expect(person!.properties).toBe(JSON.stringify(JSON.parse(person!.properties)));
    expect(JSON.parse(person!.properties)).toMatchObject({ tricky, again: tricky });
    // Written in the compact form (each timestamp once), read back per key.
    const writes = JSON.parse(person!.property_writes) as { v: number; t: string[]; w: Record<string, number> };
    expect(writes.v).toBe(2);
    expect(writes.t).toEqual([...new Set(writes.t)]);
    expect(Object.keys(decodePropertyWrites(person!.property_writes))).toEqual(
      expect.arrayContaining(['tricky', 'again']),
    );
  });

  it('retries only the messages whose person writes failed; the redelivery stores them once', async () => {
    const failing = await newProject('consumer retry');
    const healthy = await newProject('consumer healthy neighbour');
    const personal = [ev('$set', 'user-c2', { $set: { plan: 'pro' } })];
    const personLess = [ev('$pageview', 'visitor-c2', { $process_person_profile: false })];
    const neighbour = [ev('$set', 'user-c2', { $set: { plan: 'free' } })];
    const [mPersonal, mPersonLess, mNeighbour] = [
      message(failing.id, personal),
      message(failing.id, personLess),
      message(healthy.id, neighbour),
    ];
    await injectD1Faults(failing.id, [{ table: 'persons', writes: ['INSERT', 'UPDATE'] }]);

    const result = await consume('ingest', [mPersonal, mPersonLess, mNeighbour]);

    // (getQueueResult reports which messages are retried, not their delay.)
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([mPersonal.id]);
    expect([...result.explicitAcks].sort()).toEqual([mPersonLess.id, mNeighbour.id].sort());
    expect(await storedUuids(failing.id, [personal[0]!.uuid, personLess[0]!.uuid])).toEqual(
      new Set([personLess[0]!.uuid]),
    );
    expect(await personOf(failing.id, 'user-c2')).toBeUndefined();
    expect((await personOf(healthy.id, 'user-c2'))?.properties).toMatchObject({ plan: 'free' });

    await clearD1Faults(failing.id);
    const redelivery = { ...mPersonal, attempts: 2 };
    const again = await consume('ingest', [redelivery, { ...mPersonLess, id: `${mPersonLess.id}-again`, attempts: 2 }]);
    expect(again.retryMessages).toEqual([]);
    expect([...again.explicitAcks].sort()).toEqual([redelivery.id, `${mPersonLess.id}-again`].sort());
    expect((await personOf(failing.id, 'user-c2'))?.properties).toMatchObject({ plan: 'pro' });
    const rows = await (await projectDatabase(env, failing.id))
      .prepare('SELECT uuid FROM events WHERE project_id = ?')
      .bind(failing.id)
      .all<{ uuid: string }>();
    expect(rows.results.map((r) => r.uuid).sort()).toEqual([personal[0]!.uuid, personLess[0]!.uuid].sort());
  });

  it('keeps retrying a message that can never be processed (the queue dead-letters it after max_retries)', async () => {
    const p = await newProject('consumer poison');
    const poison = message(p.id, [ev('$set', 'poisoned-c3', { $set: POISON })], 6);
    const result = await consume('ingest', [poison]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([poison.id]);
    expect(result.explicitAcks).toEqual([]);
  });

  it('the dead-letter consumer stores the events without person processing, a warning each, and acks', async () => {
    const p = await newProject('consumer dead letters');
    const events = [
      ev('$set', 'poisoned-c4', { $set: POISON }),
      ev('$identify', 'poisoned-c4', { $anon_distinct_id: 'anon-c4' }),
    ];
    const dead = message(p.id, events, 6);

    const result = await consume('ingest-dlq', [dead]);

    expect(result.explicitAcks).toEqual([dead.id]);
    expect(result.retryMessages).toEqual([]);
    expect(
      await storedUuids(
        p.id,
        events.map((e) => e.uuid),
      ),
    ).toEqual(new Set(events.map((e) => e.uuid)));
    expect(await personOf(p.id, 'poisoned-c4')).toBeUndefined();
    const warnings = await warningsOf(p.id);
    expect(warnings.map((w) => [w.type, w.eventUuid]).sort()).toEqual(
      events.map((e) => ['ingestion_retries_exhausted', e.uuid]).sort(),
    );
    expect(warnings.find((w) => w.eventUuid === events[0]!.uuid)?.details).toMatchObject({
      event: '$set',
      distinctId: 'poisoned-c4',
      attempts: 6,
    });

    // Redelivered dead letters store nothing twice and warn nothing twice.
    const again = await consume('ingest-dlq', [asBytes({ ...dead, id: `${dead.id}-again` })]);
    expect(again.explicitAcks).toEqual([`${dead.id}-again`]);
    expect(await warningsOf(p.id)).toHaveLength(events.length);
    expect(
      (
        await storedUuids(
          p.id,
          events.map((e) => e.uuid),
        )
      ).size,
    ).toBe(events.length);
  });
});
