import { describe, expect, it } from 'vitest';
import { cleanJson, NestedTooDeep } from '../../src/capture/clean-json';
import { CaptureError } from '../../src/http/capture-errors';
import {
  MAX_BODY_BYTES,
  MAX_DECODED_BYTES,
  MAX_EVENTS_PER_REQUEST,
  MAX_NAME_CHARS,
  MAX_PROPERTY_DEPTH,
} from '../../src/capture/limits';
import { batchOf } from '../../src/capture/shapes';
import { MAX_PERSON_PROPERTIES_BYTES } from '../../src/identity';
import {
  api,
  ev,
  fetchWorker,
  newProject,
  type ProjectJson,
  captureError,
  send,
  eventRow,
  personOf,
  personsOf,
  storedUuids,
  eventually,
  waitForStored,
  warningsOf,
  gzip,
} from '../support';

/** No timestamp: capture stamps it. */
const event = (p: ProjectJson, extra: Record<string, unknown> = {}) =>
  ev('limit check', 'limits-user', { token: p.api_token }, { timestamp: undefined, ...extra });

/** `{"a": {"a": ... leaf ...}}`, `levels` objects deep (the outermost is level 1). */
function nested(levels: number, leaf: unknown = 'bottom'): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value as Record<string, unknown>;
}

/** The same nesting as JSON text, for depths JSON.stringify should not be asked to build. */
const nestedText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** A capture request still gets through and its event is stored: the Worker keeps serving. */
async function stillServes(p: ProjectJson): Promise<void> {
  const marker = event(p, { event: 'still serving' });
  const res = await send('/batch/', { api_key: p.api_token, batch: [marker] });
  expect(res.status).toBe(200);
  await waitForStored(p.id, [marker.uuid]);
}

describe('request and payload size', () => {
  it(`refuses a body over ${MAX_BODY_BYTES} bytes with 413, whether or not it declares its length`, async () => {
    const p = await newProject('body limit');
    const tooBig = new Uint8Array(MAX_BODY_BYTES + 1).fill(0x20);
    const declared = await fetchWorker('/e/', { method: 'POST', body: tooBig });
    expect(declared.status).toBe(413);
    expect(await captureError(declared)).toMatchObject({
      code: 'payload_too_large',
      error: expect.stringContaining(String(MAX_BODY_BYTES)),
    });

    // A streamed body carries no Content-Length: the reader stops at the limit.
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const streamed = await fetchWorker('/batch/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await captureError(streamed)).code).toBe('payload_too_large');
    await stillServes(p);
  });

  it(`refuses payloads that decompress past ${MAX_DECODED_BYTES} bytes with 413 (gzip bombs in every wrapping)`, async () => {
    const p = await newProject('bomb');
    const bomb = await gzip(`[${' '.repeat(MAX_DECODED_BYTES + 1024)}]`);
    expect(bomb.byteLength).toBeLessThan(100_000);
    let binary = '';
    for (const b of bomb) binary += String.fromCharCode(b);
    const wrappings: [string, RequestInit, string?][] = [
      ['sniffed', { body: bomb }],
      ['Content-Encoding', { body: bomb, headers: { 'Content-Encoding': 'gzip' } }],
      ['compression=gzip-js', { body: bomb }, 'compression=gzip-js'],
      // base64 of the gzip bytes in a form: decoded, then sniffed as gzip.
      [
        'form, base64 of gzip',
        {
          body: `data=${encodeURIComponent(btoa(binary))}`,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        },
      ],
    ];
    for (const [name, init, query] of wrappings) {
      const res = await fetchWorker(`/e/${query ? `?${query}` : ''}`, { method: 'POST', ...init });
      expect(res.status, name).toBe(413);
      expect((await captureError(res)).code, name).toBe('payload_too_large');
    }
    await stillServes(p);
  });

  it(`refuses a request of more than ${MAX_EVENTS_PER_REQUEST} events with 413 too_many_events, and enqueues none of them`, async () => {
    const p = await newProject('event count');
    const batch = Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () =>
      event(p, { properties: { $process_person_profile: false } }),
    );
    const res = await send('/batch/', { api_key: p.api_token, batch });
    expect(res.status).toBe(413);
    const body = await captureError(res);
    expect(body.code).toBe('too_many_events');
    expect(body.error).toContain(String(MAX_EVENTS_PER_REQUEST + 1));
    expect(body.error).toContain(String(MAX_EVENTS_PER_REQUEST));

    // Exactly at the limit is one valid request (checked without enqueueing 10,000 events).
    expect(batchOf({ api_key: 't', batch: batch.slice(0, MAX_EVENTS_PER_REQUEST) }).events).toHaveLength(
      MAX_EVENTS_PER_REQUEST,
    );
    await stillServes(p);
    expect(
      (
        await storedUuids(
          p.id,
          batch.slice(0, 500).map((e) => e.uuid),
        )
      ).size,
    ).toBe(0);
  });

  it('refuses one event over 1 MB with 413 naming it; the other events of that request are not half-accepted', async () => {
    const p = await newProject('event size');
    const small = event(p);
    const big = event(p, { event: 'huge', properties: { token: p.api_token, blob: 'z'.repeat(1_000_001) } });
    const res = await send('/batch/', { api_key: p.api_token, batch: [small, big] });
    expect(res.status).toBe(413);
    const body = await captureError(res);
    expect(body.code).toBe('event_too_large');
    expect(body.error).toMatch(/Event 1 \(huge\)/);
    await stillServes(p);
    expect((await storedUuids(p.id, [small.uuid])).size).toBe(0);
  });
});

describe('property nesting depth', () => {
  it(`stores properties nested exactly ${MAX_PROPERTY_DEPTH} levels, intact`, async () => {
    const p = await newProject('depth ok');
    const deepest = event(p, {
      properties: { token: p.api_token, ...nested(MAX_PROPERTY_DEPTH - 1, [1, 'two']) },
      $set: nested(MAX_PROPERTY_DEPTH),
    });
    // properties itself is level 1, each {a: …} one more, the array the last: 64 levels (and 64 objects in $set).
    const res = await send('/batch/', { api_key: p.api_token, batch: [deepest] });
    expect(res.status).toBe(200);
    await waitForStored(p.id, [deepest.uuid]);
    const row = await eventRow(p.id, deepest.uuid);
    expect(row!.properties.a).toEqual(nested(MAX_PROPERTY_DEPTH - 2, [1, 'two']));
    expect((await personOf(p.id, 'limits-user'))!.properties.a).toEqual(nested(MAX_PROPERTY_DEPTH - 1));
  });

  it(`refuses ${MAX_PROPERTY_DEPTH + 1} levels with 400 naming the event and the path, in properties, $set and arrays`, async () => {
    const p = await newProject('depth refused');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'properties',
        { properties: { token: p.api_token, ...nested(MAX_PROPERTY_DEPTH + 1) } },
        /`properties(\.a){64}`/,
      ],
      ['top-level $set', { $set: nested(MAX_PROPERTY_DEPTH + 1) }, /`\$set(\.a){64}`/],
      [
        'properties.$set_once',
        { properties: { token: p.api_token, $set_once: nested(MAX_PROPERTY_DEPTH) } },
        /`properties\.\$set_once(\.a){63}`/,
      ],
      [
        'arrays',
        {
          properties: {
            token: p.api_token,
            list: JSON.parse(`${'['.repeat(MAX_PROPERTY_DEPTH)}${']'.repeat(MAX_PROPERTY_DEPTH)}`),
          },
        },
        /`properties\.list(\.0){63}`/,
      ],
    ];
    for (const [name, extra, path] of cases) {
      const ok = event(p);
      const deep = event(p, { event: `too deep: ${name}`, ...extra });
      const res = await send('/batch/', { api_key: p.api_token, batch: [ok, deep] });
      expect(res.status, name).toBe(400);
      const body = await captureError(res);
      expect(body.code, name).toBe('properties_too_deep');
      expect(body.error, name).toContain(`batch[1] (event "too deep: ${name}")`);
      expect(body.error, name).toMatch(path);
      expect(body.error, name).toContain(String(MAX_PROPERTY_DEPTH));
    }
    await stillServes(p);
  });

  it('answers 4xx, never 5xx, to pathologically deep JSON anywhere in the body, in every encoding', async () => {
    const p = await newProject('depth bomb');
    const levels = 1_000_000;
    const deep = nestedText(levels);
    const bodies: [string, string][] = [
      [
        'deep properties',
        `{"api_key":"${p.api_token}","batch":[{"event":"e","distinct_id":"d","properties":${deep}}]}`,
      ],
      ['deep $set', `{"api_key":"${p.api_token}","event":"e","distinct_id":"d","$set":${deep}}`],
      ['deep distinct_id', `{"api_key":"${p.api_token}","event":"e","distinct_id":${deep}}`],
      ['deep batch', `{"api_key":"${p.api_token}","batch":${'['.repeat(levels)}${']'.repeat(levels)}}`],
      ['deep array body', `${'['.repeat(levels)}${']'.repeat(levels)}`],
      ['deep unknown field', `{"api_key":"${p.api_token}","event":"e","distinct_id":"d","extra":${deep}}`],
      [
        'unbalanced',
        `{"api_key":"${p.api_token}","event":"e","distinct_id":"d","properties":${'{"a":'.repeat(levels)}`,
      ],
    ];
    for (const [name, text] of bodies) {
      for (const [how, init] of [
        ['plain', { body: text }],
        ['gzip', { body: await gzip(text), headers: { 'Content-Encoding': 'gzip' } }],
      ] as const) {
        const res = await fetchWorker('/i/v0/e/', { method: 'POST', ...init });
        expect(res.status, `${name} (${how})`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${name} (${how})`).toBeLessThan(500);
        await captureError(res);
      }
    }
    await stillServes(p);
  });

  it('cleanJson stops at the limit without recursing further and reports the path', () => {
    expect(cleanJson(nested(10), 10)).toEqual(nested(10));
    let err: unknown;
    try {
      cleanJson(JSON.parse(nestedText(200_000)), 10);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NestedTooDeep);
    expect((err as NestedTooDeep).path).toEqual(Array(10).fill('a'));
    // Refused through batchOf as a 400, naming the single event.
    try {
      batchOf({ event: 'x', distinct_id: 'd', properties: JSON.parse(nestedText(100)) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect(err).toMatchObject({
      status: 400,
      code: 'properties_too_deep',
      message: expect.stringContaining('event (event "x")'),
    });
  });
});

describe('names and ids', () => {
  it(`cuts event names, distinct ids and merge ids to ${MAX_NAME_CHARS} characters, consistently`, async () => {
    const p = await newProject('lengths');
    const long = (c: string) => c.repeat(10_000);
    const anon = `anon-${long('a')}`;
    const named = event(p, { event: long('e'), distinct_id: long('🚀') });
    const anonymous = event(p, {
      event: '$pageview',
      distinct_id: anon,
      properties: { token: p.api_token, $set: { seen: true } },
    });
    const identify = event(p, {
      event: '$identify',
      distinct_id: 'long-user',
      properties: { token: p.api_token, $anon_distinct_id: anon },
    });
    const alias = event(p, {
      event: '$create_alias',
      distinct_id: 'long-user',
      properties: { token: p.api_token, alias: `alias-${long('b')}` },
    });
    for (const e of [named, anonymous, identify, alias]) {
      const res = await send('/batch/', { api_key: p.api_token, batch: [e] });
      expect(res.status).toBe(200);
      await waitForStored(p.id, [e.uuid]);
    }
    const row = await eventRow(p.id, named.uuid);
    expect(row!.event).toBe(long('e').slice(0, MAX_NAME_CHARS));
    expect(row!.distinctId).toBe('🚀'.repeat(MAX_NAME_CHARS));
    const person = await personOf(p.id, 'long-user');
    expect(person!.distinctIds).toEqual(
      [anon.slice(0, MAX_NAME_CHARS), `alias-${long('b')}`.slice(0, MAX_NAME_CHARS), 'long-user'].sort(),
    );
    expect(person!.properties.seen).toBe(true);
    expect(await warningsOf(p.id)).toEqual([]);
  });

  it('stores lone UTF-16 surrogates as U+FFFD instead of a message that can never be processed', async () => {
    const p = await newProject('surrogates');
    const uuid = crypto.randomUUID();
    const text = `{"api_key":"${p.api_token}","batch":[{"event":"e\\ud800","distinct_id":"d\\udfff","uuid":"${uuid}","properties":{"\\ud83d":"x\\udc00","$set":{"k\\ud800":"v"}}}]}`;
    const res = await fetchWorker('/batch/', { method: 'POST', body: text });
    expect(res.status).toBe(200);
    await waitForStored(p.id, [uuid]);
    const row = await eventRow(p.id, uuid);
    expect([row!.event, row!.distinctId]).toEqual(['e\uFFFD', 'd\uFFFD']);
    expect(row!.properties['\uFFFD']).toBe('x\uFFFD');
    expect((await personOf(p.id, 'd\uFFFD'))!.properties).toMatchObject({ 'k\uFFFD': 'v' });
    expect(await warningsOf(p.id)).toEqual([]);
  });

  it('refuses an absurdly long project token with 401, not a failed lookup (503)', async () => {
    const res = await send('/batch/', { api_key: `phc_${'x'.repeat(3_000_000)}`, event: 'e', distinct_id: 'd' });
    expect(res.status).toBe(401);
    expect((await captureError(res)).code).toBe('invalid_token');
  });
});

describe('person properties size', () => {
  const chunk = 'p'.repeat(100_000);

  it(`refuses a $set that would grow a person past ${MAX_PERSON_PROPERTIES_BYTES} bytes with person_properties_size_violation; the event is kept`, async () => {
    const p = await newProject('person size');
    const fits = Math.floor(MAX_PERSON_PROPERTIES_BYTES / (chunk.length + 10));
    const sets = Array.from({ length: fits + 1 }, (_, i) =>
      event(p, {
        event: '$set',
        distinct_id: 'grower',
        properties: { token: p.api_token, $set: { [`k${i}`]: chunk } },
      }),
    );
    for (const e of sets) {
      expect((await send('/batch/', { api_key: p.api_token, batch: [e] })).status).toBe(200);
      await waitForStored(p.id, [e.uuid]);
    }
    const person = (await personOf(p.id, 'grower'))!;
    const refused = sets.at(-1)!;
    expect(Object.keys(person.properties).filter((k) => /^k\d+$/.test(k))).toHaveLength(fits);
    expect(person.properties).not.toHaveProperty(`k${fits}`);
    expect(JSON.stringify(person.properties).length).toBeLessThanOrEqual(MAX_PERSON_PROPERTIES_BYTES);
    expect(await eventRow(p.id, refused.uuid)).toBeDefined();

    const res = await api(`/api/projects/${p.id}/ingestion_warnings/?type=person_properties_size_violation`);
    const { results } = await res.json<{
      results: { type: string; event_uuid: string; details: Record<string, unknown> }[];
    }>();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      event_uuid: refused.uuid,
      details: {
        personId: person.id,
        distinctId: 'grower',
        eventUuid: refused.uuid,
        limit: MAX_PERSON_PROPERTIES_BYTES,
      },
    });
    expect(results[0]!.details.size).toBeGreaterThan(MAX_PERSON_PROPERTIES_BYTES);

    // A small update still applies, and the person's version moved only for applied updates.
    const small = event(p, {
      event: '$set',
      distinct_id: 'grower',
      properties: { token: p.api_token, $set: { small: 1 } },
    });
    await send('/batch/', { api_key: p.api_token, batch: [small] });
    await waitForStored(p.id, [small.uuid]);
    const after = (await personOf(p.id, 'grower'))!;
    expect(after.properties.small).toBe(1);
    expect(after.version).toBe(person.version + 1);
  });

  it('creates the person without the properties when its very first event is already over the limit', async () => {
    const p = await newProject('person size at creation');
    const first = event(p, {
      event: '$identify',
      distinct_id: 'instant',
      properties: { token: p.api_token, $set: { blob: 'q'.repeat(MAX_PERSON_PROPERTIES_BYTES) } },
    });
    expect((await send('/batch/', { api_key: p.api_token, batch: [first] })).status).toBe(200);
    await waitForStored(p.id, [first.uuid]);
    const person = (await personOf(p.id, 'instant'))!;
    expect(person.properties).not.toHaveProperty('blob');
    const warnings = await warningsOf(p.id);
    expect(warnings.map((w) => [w.type, w.eventUuid])).toEqual([['person_properties_size_violation', first.uuid]]);
    expect(warnings[0]!.details).toMatchObject({
      personId: person.id,
      distinctId: 'instant',
      limit: MAX_PERSON_PROPERTIES_BYTES,
    });
  });

  it('does not let a merge grow a person past the limit either; the ids still end on one person', async () => {
    const p = await newProject('merge size');
    const setFor = (d: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        event(p, { event: '$set', distinct_id: d, properties: { token: p.api_token, $set: { [`${d}-${i}`]: chunk } } }),
      );
    const half = Math.floor(MAX_PERSON_PROPERTIES_BYTES / (chunk.length + 20) / 2) + 1;
    for (const e of [...setFor('big-anon', half), ...setFor('big-user', half)]) {
      expect((await send('/batch/', { api_key: p.api_token, batch: [e] })).status).toBe(200);
      await waitForStored(p.id, [e.uuid]);
    }
    const identify = event(p, {
      event: '$identify',
      distinct_id: 'big-user',
      properties: { token: p.api_token, $anon_distinct_id: 'big-anon' },
    });
    expect((await send('/batch/', { api_key: p.api_token, batch: [identify] })).status).toBe(200);
    await waitForStored(p.id, [identify.uuid]);

    const all = await personsOf(p.id);
    expect(all.map((x) => x.distinctIds)).toEqual([['big-anon', 'big-user']]);
    expect(JSON.stringify(all[0]!.properties).length).toBeLessThanOrEqual(MAX_PERSON_PROPERTIES_BYTES);
    const warning = await eventually(
      'the size warning',
      async () => (await warningsOf(p.id)).find((w) => w.type === 'person_properties_size_violation'),
      { timeout: 5_000 },
    );
    expect(warning.eventUuid).toBe(identify.uuid);
  });
});
