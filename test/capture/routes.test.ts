import { dbOf } from '../../src/db/client';
import { and, eq } from 'drizzle-orm';
import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/capture/enqueue';
import { CaptureError } from '../../src/http/capture-errors';
import { MAX_EVENT_BYTES } from '../../src/capture/limits';
import { events } from '../../src/db/schema';
import {
  env,
  fetchWorker,
  newProject,
  type ProjectJson,
  dbFor,
  ENCODINGS,
  send,
  waitForStored,
  eventually,
  type StoredEvent,
} from '../support';
import { at, EVENT_PATHS, sdkEvent } from './sdk-event';

const ROUTES = ['', '/ingest'].flatMap((prefix) => EVENT_PATHS.flatMap((p) => [`${prefix}${p}`, `${prefix}${p}/`]));

type SentEvent = ReturnType<typeof sdkEvent>;
interface Expected {
  sent: SentEvent;
  timestamp: string;
  where: string;
}

/** The four shapes, each with its own way of timing events; returns the payload and each event's expected time. */
function shaped(
  shape: number,
  token: string,
  now: number,
): { payload: unknown; expected: { sent: SentEvent; timestamp: string }[] } {
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (shape % 4) {
    case 0: {
      // array, timestamps as given (no sent_at)
      const list = [sdkEvent({}, { token }), sdkEvent({}, { token })];
      return { payload: list, expected: list.map((sent) => ({ sent, timestamp: sent.timestamp })) };
    }
    case 1: {
      // {api_key, batch, sent_at}: a client clock 3 days behind
      const sentAt = now - 3 * 86_400_000;
      const list = [sdkEvent({ timestamp: iso(sentAt - 1500) }), sdkEvent({ timestamp: iso(sentAt - 20) })];
      return {
        payload: { api_key: token, batch: list, sent_at: iso(sentAt) },
        expected: list.map((sent, i) => ({ sent, timestamp: iso(now - [1500, 20][i]!) })),
      };
    }
    case 2: {
      // {token, batch}, offsets instead of timestamps
      const list = [sdkEvent({ timestamp: undefined, offset: 2500 })];
      return { payload: { token, batch: list }, expected: [{ sent: list[0]!, timestamp: iso(now - 2500) }] };
    }
    default: {
      // a single event with no time at all
      const sent = sdkEvent({ timestamp: undefined, api_key: token });
      return { payload: sent, expected: [{ sent, timestamp: iso(now) }] };
    }
  }
}

function expectArrived(stored: Map<string, StoredEvent>, expected: Expected[]) {
  for (const { sent, timestamp, where } of expected) {
    const row = stored.get(sent.uuid);
    expect(row, where).toBeDefined();
    expect(
      { uuid: row!.uuid, event: row!.event, distinct_id: row!.distinctId, timestamp: row!.timestamp },
      where,
    ).toEqual({
      uuid: sent.uuid,
      event: sent.event,
      distinct_id: sent.distinct_id,
      timestamp,
    });
    expect(row!.properties, where).toMatchObject(sent.properties);
  }
}

async function storedCount(projectId: number): Promise<number> {
  return (
    await (await dbFor(projectId)).select({ uuid: events.uuid }).from(events).where(eq(events.projectId, projectId))
  ).length;
}

const waitForRow = (projectId: number, distinctId: string): Promise<StoredEvent> =>
  eventually(
    `an event stored for ${distinctId}`,
    async () =>
      (await dbFor(projectId))
        .select()
        .from(events)
        .where(and(eq(events.projectId, projectId), eq(events.distinctId, distinctId)))
        .get(),
    { interval: 100 },
  );

describe('every route, every encoding, every shape', () => {
  it('delivers exactly what was sent through the queue, with corrected timestamps', async () => {
    const project = await newProject('matrix');
    const expected: Expected[] = [];
    let shape = 0;
    let now = Date.parse('2026-05-01T10:00:00.000Z');
    for (const route of ROUTES) {
      now += 60_000;
      await at(now, () =>
        Promise.all(
          ENCODINGS.map(async (encoding) => {
            const { payload, expected: sent } = shaped(shape++, project.api_token, now);
            const where = `${encoding.name} → ${route}`;
            const res = await send(route, payload, { encoding });
            expect(res.status, where).toBe(200);
            expect(await res.text(), where).toBe('{"status":1}');
            expected.push(...sent.map((s) => ({ ...s, where })));
          }),
        ),
      );
    }
    expect(expected.length).toBeGreaterThan(ROUTES.length * ENCODINGS.length);
    const stored = await waitForStored(
      project.id,
      expected.map((e) => e.sent.uuid),
      120_000,
    );
    expectArrived(stored, expected);
    expect(await storedCount(project.id)).toBe(expected.length);
  }, 180_000);
});

describe('arrival details', () => {
  let project: ProjectJson;

  it('turns an /engage object into $identify with its $set', async () => {
    project = await newProject('engage');
    const res = await send('/engage/', {
      $set: { plan: 'pro' },
      $token: project.api_token,
      $distinct_id: 'engaged-user',
    });
    expect(res.status).toBe(200);
    const row = await waitForRow(project.id, 'engaged-user');
    expect(row).toMatchObject({ event: '$identify', distinctId: 'engaged-user' });
    expect(row.properties).toMatchObject({ $set: { plan: 'pro' } });
  });

  it('puts top-level $set/$set_once of posthog-js identify on the event', async () => {
    project = await newProject('identify');
    const sent = sdkEvent(
      { event: '$identify', distinct_id: 'user-x', $set: { email: 'x@example.com' }, $set_once: { first: 'yes' } },
      { token: project.api_token, distinct_id: 'user-x', $anon_distinct_id: 'anon-x' },
    );
    expect((await send('/i/v0/e/', { api_key: project.api_token, batch: [sent] })).status).toBe(200);
    const row = (await waitForStored(project.id, [sent.uuid])).get(sent.uuid)!;
    expect(row.properties).toMatchObject({
      $anon_distinct_id: 'anon-x',
      $set: { email: 'x@example.com' },
      $set_once: { first: 'yes' },
    });
  });

  it('generates a UUIDv7 for events sent without one', async () => {
    project = await newProject('no uuid');
    const res = await send('/capture/', {
      api_key: project.api_token,
      event: 'no uuid here',
      distinct_id: 'uuidless',
      uuid: '',
    });
    expect(res.status).toBe(200);
    const row = await waitForRow(project.id, 'uuidless');
    expect(validate(row.uuid) && version(row.uuid)).toBe(7);
  });

  it('answers 204 to beacon=1 and still delivers', async () => {
    project = await newProject('beacon');
    const sent = sdkEvent({}, { token: project.api_token });
    const res = await send('/e/?beacon=1', [sent]);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await waitForStored(project.id, [sent.uuid]);
  });

  it('uses query sent_at / _ when the body has none', async () => {
    project = await newProject('query sent_at');
    const now = Date.parse('2026-06-01T00:00:00.000Z');
    const a = sdkEvent({ timestamp: new Date(now - 7200_000 - 300).toISOString() }, { token: project.api_token });
    const b = sdkEvent({ timestamp: new Date(now + 3600_000 - 40).toISOString() }, { token: project.api_token });
    await at(now, async () => {
      expect((await send(`/e/?_=${now - 7200_000}`, [a])).status).toBe(200);
      expect((await send(`/e/?sent_at=${now + 3600_000}`, [b])).status).toBe(200);
    });
    const stored = await waitForStored(project.id, [a.uuid, b.uuid]);
    expect(stored.get(a.uuid)!.timestamp).toBe(new Date(now - 300).toISOString());
    expect(stored.get(b.uuid)!.timestamp).toBe(new Date(now - 40).toISOString());
  });

  it('adds $ip and $geoip_* from the edge unless $geoip_disable', async () => {
    project = await newProject('geoip');
    const plain = sdkEvent({}, { token: project.api_token });
    const disabled = sdkEvent({}, { token: project.api_token, $geoip_disable: true });
    const cf = {
      country: 'NZ',
      continent: 'OC',
      city: 'Wellington',
      timezone: 'Pacific/Auckland',
      latitude: '-41.28',
      longitude: '174.77',
    };
    const res = await fetchWorker('/e/', {
      method: 'POST',
      body: JSON.stringify([plain, disabled]),
      headers: { 'CF-Connecting-IP': '203.0.113.77' },
      cf,
    } as RequestInit);
    expect(res.status).toBe(200);
    const stored = await waitForStored(project.id, [plain.uuid, disabled.uuid]);
    expect(stored.get(plain.uuid)!.properties).toMatchObject({
      $ip: '203.0.113.77',
      $geoip_country_code: 'NZ',
      $geoip_city_name: 'Wellington',
      $geoip_continent_name: 'Oceania',
      $geoip_latitude: -41.28,
    });
    expect(stored.get(disabled.uuid)!.properties).not.toHaveProperty('$ip');
    expect(stored.get(disabled.uuid)!.properties).not.toHaveProperty('$geoip_country_code');
  });

  it('splits a large request into several messages and loses nothing', async () => {
    project = await newProject('large');
    const list = Array.from({ length: 60 }, () => sdkEvent({}, { pad: 'p'.repeat(20_000) }));
    const res = await send('/batch/', { api_key: project.api_token, batch: list });
    expect(res.status).toBe(200);
    const stored = await waitForStored(
      project.id,
      list.map((e) => e.uuid),
      60_000,
    );
    expectArrived(
      stored,
      list.map((sent) => ({ sent, timestamp: sent.timestamp, where: sent.uuid })),
    );
  });

  it('accepts an event just under 1 MB (staged: too large for a message) and refuses one just over', async () => {
    project = await newProject('limit');
    const base = sdkEvent({}, { token: project.api_token, $ip: '198.51.100.1' });
    const pad = (target: number) => {
      const event = { ...base, properties: { ...base.properties, pad: '' } };
      const size = new TextEncoder().encode(JSON.stringify(event)).byteLength;
      event.properties.pad = 'q'.repeat(target - size);
      return event;
    };
    const fits = pad(MAX_EVENT_BYTES - 100);
    expect((await send('/e/', fits)).status).toBe(200);
    const stored = (await waitForStored(project.id, [fits.uuid])).get(fits.uuid);
    expect((stored!.properties as { pad: string }).pad).toBe(fits.properties.pad);
    const left = await (await dbFor(project.id)).$client
      .prepare('SELECT COUNT(*) AS n FROM staged_events WHERE project_id = ?')
      .bind(project.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
    const over = { ...pad(MAX_EVENT_BYTES + 10), uuid: crypto.randomUUID() };
    const res = await send('/e/', over);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, code: 'event_too_large' });
  });

  it('answers 503 when the queue refuses (a message over its limit)', async () => {
    const big = {
      projectId: 1,
      events: [
        {
          uuid: crypto.randomUUID(),
          event: 'e',
          distinct_id: 'd',
          properties: { pad: 'x'.repeat(200_000) },
          timestamp: new Date().toISOString(),
        },
      ],
    };
    let err: unknown;
    try {
      await enqueue(env.INGEST_QUEUE, dbOf(env.SHARD_0), 1, { messages: [{ body: big, bytes: 1 }], staged: [] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect(err).toMatchObject({ status: 503, code: 'unavailable' });
  });
});
