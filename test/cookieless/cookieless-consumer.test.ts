import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetCachedSalts } from '../../src/cookieless/salts';
import { consumeIngestBatch } from '../../src/ingest/consumer';
import type { IngestMessage } from '../../src/queue/message';
import { events, ingestionWarnings } from '../../src/db/schema';
import { dbFor, eventually, fetchWorker, personsOf } from '../support';
import { project, storedEvents, warningsOf, placeholderIdsStored } from './cookieless-support';

beforeEach(() => forgetCachedSalts());

describe('the placeholder never becomes a distinct id, in any mode or shape', () => {
  it.each(['disabled', 'stateless', 'stateful'] as const)('%s', async (mode) => {
    const p = await project(mode);
    const post = (path: string, body: unknown) =>
      fetchWorker(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const plain = (event: string, distinctId: string, properties: Record<string, unknown> = {}) => ({
      event,
      distinct_id: distinctId,
      uuid: crypto.randomUUID(),
      properties,
    });
    // No `$cookieless_mode`, no IP, user agent or site: server SDK shapes.
    const identify = plain('$identify', 'user-1', { $anon_distinct_id: '$posthog_cookieless' });
    const alias = plain('$create_alias', 'user-2', { alias: '$sentinel_cookieless_server_hash' });
    const merge = plain('$merge_dangerously', 'user-3', { alias: '$posthog_cookieless' });
    const setOnly = plain('$set', '$posthog_cookieless', { $set: { a: 1 } });
    for (const e of [identify, alias, merge, setOnly])
      expect((await post('/e/', { api_key: p.api_token, ...e })).status).toBe(200);
    const engage = await post('/engage/', { $token: p.api_token, $distinct_id: '$posthog_cookieless', $set: { b: 2 } });
    expect(engage.status).toBe(200);

    await storedEvents(p.id, [identify.uuid, alias.uuid, merge.uuid]);
    const illegal = await warningsOf(
      p.id,
      [identify.uuid, alias.uuid, merge.uuid],
      'cannot_merge_with_illegal_distinct_id',
    );
    expect(illegal).toHaveLength(3);
    await eventually('the $set event accounted for', async () => {
      const rows = await (await dbFor(p.id))
        .select()
        .from(ingestionWarnings)
        .where(and(eq(ingestionWarnings.projectId, p.id), eq(ingestionWarnings.eventUuid, setOnly.uuid)));
      return rows.length === 1;
    });
    await eventually('the /engage event accounted for', async () => {
      const rows = await (await dbFor(p.id))
        .select()
        .from(ingestionWarnings)
        .where(eq(ingestionWarnings.projectId, p.id));
      return rows.length === 5;
    });
    expect(await placeholderIdsStored()).toEqual([]);
    const persons = await personsOf(p.id);
    expect(persons.flatMap((x) => x.distinctIds).sort()).toEqual(['user-1', 'user-2', 'user-3']);
  });
});

describe('the consumer', () => {
  it('stores only the warning of a dropped event, and refuses a placeholder id that reached the queue', async () => {
    const p = await project('stateless');
    const base = { timestamp: new Date().toISOString(), properties: {} };
    const dropped = {
      ...base,
      uuid: crypto.randomUUID(),
      event: '$pageview',
      distinct_id: '',
      dropped: { type: 'cookieless_event_dropped', details: { reason: 'missing_ip' } },
    };
    const placeholder = {
      ...base,
      uuid: crypto.randomUUID(),
      event: '$pageview',
      distinct_id: '$posthog_cookieless',
      properties: { $set: { a: 1 } },
    };
    const normal = { ...base, uuid: crypto.randomUUID(), event: '$pageview', distinct_id: 'someone' };
    await env.INGEST_QUEUE.send({ projectId: p.id, events: [dropped, placeholder, normal] });
    await storedEvents(p.id, [normal.uuid]);
    await warningsOf(p.id, [dropped.uuid], 'cookieless_event_dropped');
    await warningsOf(p.id, [placeholder.uuid], 'cookieless_placeholder_distinct_id');
    expect(
      (await (await dbFor(p.id)).select().from(events).where(eq(events.projectId, p.id))).map((e) => e.uuid),
    ).toEqual([normal.uuid]);
    expect(await placeholderIdsStored()).toEqual([]);
  });
});

describe('the dead-letter consumer', () => {
  it('stores the warning of a dropped event and never a placeholder id', async () => {
    const p = await project('stateless');
    const base = { timestamp: new Date().toISOString(), properties: {} };
    const dropped = {
      ...base,
      uuid: crypto.randomUUID(),
      event: 'x',
      distinct_id: '',
      dropped: { type: 'cookieless_event_dropped', details: { reason: 'missing_ip' } },
    };
    const placeholder = { ...base, uuid: crypto.randomUUID(), event: 'y', distinct_id: '$posthog_cookieless' };
    const normal = { ...base, uuid: crypto.randomUUID(), event: 'z', distinct_id: 'someone' };
    let acked = false;
    const message = {
      id: 'm1',
      timestamp: new Date(),
      attempts: 6,
      body: { projectId: p.id, events: [dropped, placeholder, normal] },
      ack: () => void (acked = true),
      retry: () => undefined,
    };
    const batch = { queue: 'ingest-dlq', messages: [message], ackAll: () => undefined, retryAll: () => undefined };
    await consumeIngestBatch(batch as unknown as MessageBatch<IngestMessage>, env);
    expect(acked).toBe(true);
    const rows = await (await dbFor(p.id)).select().from(events).where(eq(events.projectId, p.id));
    expect(rows.map((r) => r.uuid)).toEqual([normal.uuid]);
    const warnings = await (await dbFor(p.id))
      .select()
      .from(ingestionWarnings)
      .where(eq(ingestionWarnings.projectId, p.id));
    expect(warnings.map((w) => `${w.type} ${w.eventUuid}`).sort()).toEqual(
      [
        `cookieless_event_dropped ${dropped.uuid}`,
        `cookieless_placeholder_distinct_id ${placeholder.uuid}`,
        `ingestion_retries_exhausted ${normal.uuid}`,
      ].sort(),
    );
  });
});
