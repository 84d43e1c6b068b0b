import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ev, fetchWorker, newProject, type ProjectJson, base64, gzip } from '../support';

interface Case {
  name: string;
  path?: string;
  init: (p: ProjectJson) => Promise<RequestInit> | RequestInit;
  status: number;
  code: string;
  mentions?: RegExp;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json' },
});
/** The barest event (no uuid, no timestamp), token in its properties. */
const bare = (p: ProjectJson, extra: Record<string, unknown> = {}) =>
  ev('e', 'd', { token: p.api_token }, { uuid: undefined, timestamp: undefined, ...extra });

const CASES: Case[] = [
  {
    name: 'bad JSON',
    init: () => ({ method: 'POST', body: '{"event": "e", ' }),
    status: 400,
    code: 'invalid_json',
    mentions: /JSON/,
  },
  {
    name: 'bad base64 (compression=base64)',
    path: '/e/?compression=base64',
    init: () => ({
      method: 'POST',
      body: 'data=%25%25%25%25',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
    status: 400,
    code: 'invalid_base64',
    mentions: /base64/,
  },
  {
    name: 'bad gzip',
    init: () => ({
      method: 'POST',
      body: new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef]),
    }),
    status: 400,
    code: 'invalid_gzip',
    mentions: /gzip/,
  },
  {
    name: 'gzip bomb',
    init: async () => ({ method: 'POST', body: await gzip('['.padEnd(25 * 1024 * 1024, ' ')) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'bad lz64',
    path: '/e/?compression=lz64',
    init: () => ({
      method: 'POST',
      body: 'data=***',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
    status: 400,
    code: 'invalid_lz64',
  },
  {
    name: 'empty payload (POST)',
    init: () => ({ method: 'POST', body: '' }),
    status: 400,
    code: 'empty_payload',
    mentions: /payload/,
  },
  {
    name: 'empty payload (GET)',
    path: '/e/?data=',
    init: () => ({ method: 'GET' }),
    status: 400,
    code: 'empty_payload',
  },
  {
    name: 'empty batch',
    init: (p) => json({ api_key: p.api_token, batch: [] }),
    status: 400,
    code: 'empty_batch',
    mentions: /batch/,
  },
  { name: 'empty array', init: () => json([]), status: 400, code: 'empty_batch' },
  { name: 'not an event', init: () => json('just a string'), status: 400, code: 'invalid_payload' },
  {
    name: 'missing event',
    init: (p) => json({ api_key: p.api_token, batch: [bare(p), { distinct_id: 'd' }] }),
    status: 400,
    code: 'missing_event_name',
    mentions: /batch\[1\]/,
  },
  {
    name: 'missing distinct id',
    init: (p) => json({ api_key: p.api_token, event: 'e' }),
    status: 400,
    code: 'missing_distinct_id',
    mentions: /distinct/,
  },
  {
    name: 'invalid uuid',
    init: (p) => json(bare(p, { uuid: '1234' })),
    status: 400,
    code: 'invalid_uuid',
    mentions: /uuid/,
  },
  {
    name: 'mixed tokens',
    init: (p) => json([bare(p), { event: 'e', distinct_id: 'd', token: 'phc_other' }]),
    status: 400,
    code: 'mixed_tokens',
    mentions: /token/,
  },
  {
    name: 'no token',
    init: () => json({ event: 'e', distinct_id: 'd' }),
    status: 401,
    code: 'no_token',
    mentions: /token/,
  },
  {
    name: 'unknown token',
    init: () => json({ api_key: 'phc_not_a_real_project', event: 'e', distinct_id: 'd' }),
    status: 401,
    code: 'invalid_token',
  },
  {
    name: 'a personal API key as token',
    init: () => json({ api_key: 'phx_test_key', event: 'e', distinct_id: 'd' }),
    status: 401,
    code: 'invalid_token',
    mentions: /personal/,
  },
  {
    name: 'event over 1 MB',
    init: (p) =>
      json({
        api_key: p.api_token,
        batch: [bare(p, { properties: { token: p.api_token, blob: 'z'.repeat(1024 * 1024 + 1) } })],
      }),
    status: 413,
    code: 'event_too_large',
  },
  {
    name: 'unknown route under the prefix',
    path: '/ingest/nope',
    init: () => ({ method: 'GET' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'bad token in the config path',
    path: '/array/bad%20token!/config',
    init: () => ({ method: 'GET' }),
    status: 400,
    code: 'invalid_token',
  },
];

describe('rejections', () => {
  let project: ProjectJson;

  for (const c of CASES) {
    it(`${c.name}: ${c.status} ${c.code}`, async () => {
      project ??= await newProject('rejections');
      for (const path of c.path ? [c.path] : ['/e/', '/ingest/batch']) {
        const res = await fetchWorker(path, {
          ...(await c.init(project)),
          headers: { Origin: 'https://shop.example', ...((await c.init(project)).headers ?? {}) },
        });
        expect(res.status, path).toBe(c.status);
        expect(res.headers.get('Content-Type')).toMatch(/application\/json/);
        expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.example');
        const body = await res.json<{ status: number; code: string; error: string }>();
        expect(body).toEqual({ status: c.status, code: c.code, error: expect.any(String) });
        if (c.mentions) expect(body.error).toMatch(c.mentions);
      }
    });
  }

  it('never answers 5xx, whatever arrives', async () => {
    project ??= await newProject('rejections');
    const token = project.api_token;
    const jsonValue = fc.jsonValue({ maxDepth: 3 });
    const eventLike = fc.record(
      {
        event: fc.oneof(fc.string(), jsonValue),
        distinct_id: fc.oneof(fc.string(), fc.integer(), jsonValue),
        uuid: fc.oneof(fc.uuid(), fc.string(), jsonValue),
        properties: fc.oneof(fc.dictionary(fc.string(), jsonValue), jsonValue),
        timestamp: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
          jsonValue,
        ),
        offset: fc.oneof(fc.integer(), jsonValue),
        $set: jsonValue,
        token: fc.constantFrom(token, 'phc_unknown', ''),
      },
      { requiredKeys: [] },
    );
    const payload = fc.oneof(
      jsonValue,
      eventLike,
      fc.array(eventLike, { maxLength: 3 }),
      fc.record({
        api_key: fc.constantFrom(token, 'x'),
        batch: fc.oneof(fc.array(eventLike, { maxLength: 3 }), jsonValue),
        sent_at: jsonValue,
      }),
    );
    const body = fc.oneof(
      payload.map((p) => JSON.stringify(p)),
      fc.string(),
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 32 }).map((b) => new Uint8Array([0x1f, 0x8b, ...b])),
      payload.map((p) => `data=${encodeURIComponent(base64(JSON.stringify(p)))}`),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom(
          '/e/',
          '/i/v0/e',
          '/engage/',
          '/batch',
          '/ingest/track/',
          '/flags/?v=2',
          '/decide/',
          '/array/phc_x/config.js',
        ),
        fc.constantFrom(
          '',
          'compression=gzip-js',
          'compression=lz64',
          'compression=base64',
          'compression=weird',
          '_=1700000000000',
          'beacon=1',
        ),
        fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded'),
        fc.constantFrom(undefined, 'gzip'),
        async (b, path, query, contentType, contentEncoding) => {
          const headers: Record<string, string> = {};
          if (contentType) headers['Content-Type'] = contentType;
          if (contentEncoding) headers['Content-Encoding'] = contentEncoding;
          const res = await fetchWorker(`${path}${path.includes('?') ? '&' : '?'}${query}`, {
            method: 'POST',
            body: b,
            headers,
          });
          expect(res.status, `${path} ${query}`).toBeLessThan(500);
          if (res.status >= 400)
            expect(await res.json()).toMatchObject({
              status: res.status,
              code: expect.any(String),
              error: expect.any(String),
            });
          else await res.arrayBuffer();
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);
});
