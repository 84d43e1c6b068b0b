import {
  API_KEY,
  api,
  ev,
  fetchWorker,
  ingest,
  newProject,
  countRows,
  send,
  personsOf,
  storedUuids,
  projectEndpoints,
  type Call,
  type EventJson,
  type PersonJson,
  type WarningJson,
} from '../support';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { secretsEqual } from '../../src/api/auth';
import { encodeCursor } from '../../src/api/pagination';

/** The REST API through the Worker's handler, with the personal key unless told otherwise. */
const rest = (path: string, init: RequestInit = {}, key: string | null = API_KEY) => api(path, { ...init, key });

async function restJson<T>(path: string): Promise<T> {
  const res = await rest(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json<T>();
}

/** Every console method, recorded while `work` runs (the Worker runs in this isolate). */
async function consoleDuring(work: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(
        args
          .map((a) =>
            a instanceof Error
              ? `${a.message} ${a.stack ?? ''} ${String((a as { cause?: unknown }).cause ?? '')}`
              : typeof a === 'string'
                ? a
                : JSON.stringify(a),
          )
          .join(' '),
      );
    }),
  );
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.join('\n');
}

afterEach(() => {
  vi.restoreAllMocks();
});

const projectScoped = (projectId: number | string, personId: string): Call[] => [
  ['GET', `/api/projects/${projectId}/`],
  ...projectEndpoints(projectId, personId),
];

/** Every REST endpoint, including the project list and creation. */
const everyEndpoint = (projectId: number, personId: string): [string, string, unknown?][] => [
  ['GET', '/api/projects/'],
  ['POST', '/api/projects/', { name: 'should not exist' }],
  ...projectScoped(projectId, personId),
];

const sendRest = (
  [method, path, body]: [string, string, unknown?],
  key: string | null,
  headers: Record<string, string> = {},
) =>
  rest(
    path,
    {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    key,
  );

describe('project token and personal API key are never interchangeable', () => {
  it('a project token never opens any REST endpoint, however it is presented', async () => {
    const p = await newProject('token vs key');
    const projectsBefore = await countRows('SELECT COUNT(*) AS n FROM projects');
    const presentations: [string, Record<string, string>, string?][] = [
      ['Bearer', { Authorization: `Bearer ${p.api_token}` }],
      ['bare Authorization', { Authorization: p.api_token }],
      ['X-API-Key', { 'X-API-Key': p.api_token }],
      ['query personal_api_key', {}, `personal_api_key=${p.api_token}`],
      ['Bearer + key in the query', { Authorization: `Bearer ${p.api_token}` }, `personal_api_key=${API_KEY}`],
    ];
    for (const endpoint of everyEndpoint(p.id, crypto.randomUUID())) {
      for (const [how, headers, query] of presentations) {
        const [method, path, body] = endpoint;
        const url = query ? `${path}?${query}` : path;
        const res = await sendRest([method, url, body], null, headers);
        expect(res.status, `${method} ${path} with ${how}`).toBe(401);
        expect(await res.json()).toMatchObject({ type: 'authentication_error', code: 'invalid_personal_api_key' });
      }
    }
    expect(await countRows('SELECT COUNT(*) AS n FROM projects')).toBe(projectsBefore);
  });

  it('only the exact personal key opens the REST API', async () => {
    const near = [
      API_KEY.toUpperCase(),
      `${API_KEY}x`,
      API_KEY.slice(0, -1),
      `x${API_KEY}`,
      'phx_',
      '',
      'null',
      'undefined',
    ];
    for (const key of near) {
      const res = await rest('/api/projects/', { headers: { Authorization: `Bearer ${key}` } }, null);
      expect(res.status, JSON.stringify(key)).toBe(401);
    }
    expect((await rest('/api/projects/', {}, null)).status).toBe(401);
    for (const header of [`bearer ${API_KEY}`, `Bearer   ${API_KEY}`, `Bearer ${API_KEY} `]) {
      expect((await rest('/api/projects/', { headers: { Authorization: header } }, null)).status, header).toBe(200);
    }
    for (const header of [API_KEY, `Basic ${btoa(`user:${API_KEY}`)}`, `Token ${API_KEY}`, `Bearer ${API_KEY} extra`]) {
      expect((await rest('/api/projects/', { headers: { Authorization: header } }, null)).status, header).toBe(401);
    }
  });

  it('a personal key is never a project token, wherever a capture request puts it', async () => {
    const p = await newProject('key as token');
    const e = () => ev('leak attempt', 'someone');
    const bodies: [string, unknown][] = [
      ['batch api_key', { api_key: API_KEY, batch: [e()] }],
      ['batch token', { token: API_KEY, batch: [e()] }],
      ['batch api_key with spaces', { api_key: `  ${API_KEY}\n`, batch: [e()] }],
      ['event token', [{ ...e(), token: API_KEY }]],
      ['event $token', [{ ...e(), $token: API_KEY }]],
      ['event api_key', { ...e(), api_key: API_KEY }],
      ['properties.token', { ...e(), properties: { token: API_KEY } }],
      ['engage $token', { $token: API_KEY, $distinct_id: 'someone', $set: { a: 1 } }],
    ];
    const uuids: string[] = [];
    for (const [where, body] of bodies) {
      // A body without `event` is an event only on /engage.
      const paths = where.startsWith('engage')
        ? ['/engage/', '/ingest/engage']
        : ['/batch/', '/e/', '/engage/', '/ingest/i/v0/e/'];
      for (const path of paths) {
        const res = await send(path, body);
        expect(res.status, `${where} → ${path}`).toBe(401);
        expect(await res.json(), where).toMatchObject({ code: 'invalid_token' });
      }
      const list = Array.isArray(body)
        ? body
        : 'batch' in (body as object)
          ? (body as { batch: { uuid: string }[] }).batch
          : [body];
      for (const item of list as { uuid?: string }[]) if (item.uuid) uuids.push(item.uuid);
    }
    for (const path of [
      '/array/phx_test_key/config',
      '/array/phx_test_key/config.js',
      '/ingest/array/phx_test_key/config.js',
    ]) {
      const res = await fetchWorker(path);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toContain(API_KEY);
    }
    // Nothing was enqueued: a marker sent after them is stored, they are not (in any project).
    const marker = ev('marker', 'someone');
    await ingest(p, [marker]);
    expect(
      await countRows(
        `SELECT COUNT(*) AS n FROM events WHERE uuid IN (SELECT value FROM json_each(?))`,
        JSON.stringify(uuids),
      ),
    ).toBe(0);
  });

  it('project tokens are random phc_ tokens, never shaped like a personal key', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await newProject(`token ${i}`)).api_token),
    );
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const t of tokens) expect(t).toMatch(/^phc_[A-Za-z0-9_-]{43}$/);
  });
});

describe('the personal key is compared in constant time', () => {
  it('secretsEqual is exact', async () => {
    expect(await secretsEqual(API_KEY, API_KEY)).toBe(true);
    for (const other of [
      '',
      'p',
      API_KEY.slice(0, -1),
      `${API_KEY}_`,
      API_KEY.replace('k', 'K'),
      'x'.repeat(10_000),
      'phx_tést_key',
    ]) {
      expect(await secretsEqual(other, API_KEY), other.slice(0, 20)).toBe(false);
    }
  });

  it('every key, whatever its length or wrong position, is decided by timingSafeEqual over two equal-length digests', async () => {
    const calls: [number, number][] = [];
    const original = crypto.subtle.timingSafeEqual.bind(crypto.subtle);
    const spy = vi
      .spyOn(crypto.subtle, 'timingSafeEqual')
      .mockImplementation((a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView) => {
        calls.push([a.byteLength, b.byteLength]);
        return original(a, b);
      });
    onTestFinished(() => spy.mockRestore());
    const keys = ['x', 'phx_test_keY', 'Xhx_test_key', API_KEY.slice(0, -1), `${API_KEY}${'z'.repeat(5_000)}`, API_KEY];
    for (const key of keys) {
      const before = calls.length;
      const res = await rest('/api/projects/', {}, key);
      expect(res.status, key.slice(0, 20)).toBe(key === API_KEY ? 200 : 401);
      const made = calls.slice(before);
      expect(made.length, key.slice(0, 20)).toBeGreaterThan(0);
      expect(
        made.every(([a, b]) => a === 32 && b === 32),
        key.slice(0, 20),
      ).toBe(true);
    }
  });
});

describe('no data of one project through another project’s token or path', () => {
  it('capture keeps projects apart, and REST under A never shows or changes B', async () => {
    const a = await newProject('isolation A');
    const b = await newProject('isolation B');
    // The same distinct ids in both projects; only A merges them.
    await ingest(a, [
      ev('$set', 'anon', { $set: { side: 'a-anon' } }),
      ev('$set', 'user', { $set: { side: 'a-user', email: 'shared@a.test' } }),
    ]);
    await ingest(b, [
      ev('$set', 'anon', { $set: { side: 'b-anon' } }),
      ev('$set', 'user', { $set: { side: 'b-user', email: 'only-b@b.test' } }),
      ev('$pageview', 'b-only'),
    ]);
    await ingest(a, [ev('$identify', 'user', { $anon_distinct_id: 'anon', $set: { merged: true } })]);

    // The batch token wins over tokens on the events: all of it lands in A.
    const claimed = ev('claims B', 'user', { token: b.api_token });
    await ingest(a, [{ ...claimed, token: b.api_token, $token: b.api_token }]);
    expect((await storedUuids(b.id, [claimed.uuid])).size).toBe(0);
    // Events of two projects in one request: refused, none stored anywhere.
    const mixed = [ev('mixed', 'x', { token: a.api_token }), ev('mixed', 'x', { token: b.api_token })];
    expect((await send('/e/', mixed)).status).toBe(400);

    const personsA = await personsOf(a.id);
    const personsB = await personsOf(b.id);
    expect(personsA.map((x) => x.distinctIds)).toEqual([['anon', 'user']]);
    expect(personsB.map((x) => x.distinctIds).sort()).toEqual([['anon'], ['b-only'], ['user']]);
    expect(personsB.find((x) => x.distinctIds.includes('user'))!.properties).toMatchObject({ side: 'b-user' });
    expect(personsB.find((x) => x.distinctIds.includes('user'))!.properties).not.toHaveProperty('merged');
    const idsA = new Set(personsA.map((x) => x.id));
    for (const x of personsB) expect(idsA.has(x.id), 'a person uuid shared between projects').toBe(false);

    const theirs = personsB.find((x) => x.distinctIds.includes('user'))!;
    for (const endpoint of projectScoped(a.id, theirs.id).filter(([, path]) => path.includes(theirs.id))) {
      const res = await sendRest(endpoint, API_KEY);
      expect(res.status, endpoint.join(' ')).toBe(404);
    }
    expect((await personsOf(b.id)).map((x) => x.distinctIds).sort()).toEqual([['anon'], ['b-only'], ['user']]);

    const underA = async <T>(query: string) =>
      (await restJson<{ results: T[] }>(`/api/projects/${a.id}/${query}`)).results;
    expect(await underA(`events/?person_id=${theirs.id}`)).toEqual([]);
    expect(await underA('events/?distinct_id=b-only')).toEqual([]);
    expect(await underA('persons/?distinct_id=b-only')).toEqual([]);
    expect(await underA('persons/?search=only-b')).toEqual([]);
    expect(
      await underA(`persons/?properties=${encodeURIComponent(JSON.stringify([{ key: 'side', value: 'b-user' }]))}`),
    ).toEqual([]);
    const eventsUnderA = await underA<{ distinct_id: string; person_id: string }>('events/?limit=1000');
    expect(
      eventsUnderA.every((e) => idsA.has(e.person_id)),
      'events under A belong to A’s persons',
    ).toBe(true);
    expect(eventsUnderA.map((e) => e.distinct_id).sort()).toEqual(['anon', 'user', 'user', 'user']);
  });
});

/** Strings that would change a query if they were ever spliced into SQL. */
const SQL_LOOKING = [
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  '1; DROP TABLE persons; --',
  "'; DELETE FROM events; --",
  "') OR ('1'='1",
  "' UNION SELECT api_token, api_token, 1, api_token, 1 FROM projects --",
  '*/ OR /*',
  '%',
  '_',
  '%%',
  '\\',
  '$.email',
  '$',
  'NULL',
  '0',
  'a.b',
  "weird'key",
  "x' OR '1'='1@evil.test",
  'Robert"); DROP TABLE persons;--',
  'pct%',
];

describe('SQL-looking input in every filter is only ever data', () => {
  it('every REST filter matches SQL-looking input literally, or refuses it with a 400 naming the parameter', async () => {
    const s = await newProject('sql');
    const other = await newProject('sql other');
    // Seeded through capture: SQL-looking distinct ids, event names, property keys and values.
    await ingest(s, [
      ev("'; DELETE FROM events; --", "' OR 1=1 --", {
        $set: { email: "x' OR '1'='1@evil.test", 'a.b': 'dot', "weird'key": 'v1', '$.email': 'dollar' },
      }),
      ev('signup', 'normal-user', { $set: { email: 'normal@example.com', name: 'Robert"); DROP TABLE persons;--' } }),
      ev('$pageview', 'pct%', { $set: { email: 'percent@x.test', n: 5 } }),
      ev('$pageview', 'under_score', { $set: { email: 'UNDER@x.test' } }),
      // An illegal id merge: a warning to filter.
      ev('$identify', 'null', { $anon_distinct_id: 'normal-user' }),
    ]);
    await ingest(other, [ev('$pageview', 'evil-other', { $set: { email: "x' OR '1'='1@evil.test" } })]);
    const counts = async () =>
      Promise.all(
        ['projects', 'persons', 'person_distinct_ids', 'events', 'ingestion_warnings'].map((t) =>
          countRows(`SELECT COUNT(*) AS n FROM ${t}`),
        ),
      );
    const before = await counts();

    const base = `/api/projects/${s.id}`;
    const persons = (await restJson<{ results: PersonJson[] }>(`${base}/persons/?limit=1000`)).results;
    const events = (await restJson<{ results: EventJson[] }>(`${base}/events/?limit=1000`)).results;
    const warnings = (await restJson<{ results: WarningJson[] }>(`${base}/ingestion_warnings/`)).results;
    expect(persons.flatMap((p) => p.distinct_ids).sort()).toEqual(
      ["' OR 1=1 --", 'normal-user', 'null', 'pct%', 'under_score'].sort(),
    );
    expect(persons.find((p) => p.distinct_ids.includes("' OR 1=1 --"))!.properties).toMatchObject({
      'a.b': 'dot',
      "weird'key": 'v1',
      '$.email': 'dollar',
    });
    expect(warnings.length).toBeGreaterThan(0);

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
    const emailOf = (p: PersonJson) => (typeof p.properties.email === 'string' ? p.properties.email : undefined);
    const q = encodeURIComponent;
    const filter = (f: unknown) => `properties=${q(JSON.stringify([f]))}`;

    /** 200 with exactly the expected rows, or (when `refusedAttr` is given) 400 naming it. */
    async function check<T extends { id: string }>(path: string, expected: T[] | { refusedAttr: string }) {
      const res = await rest(path);
      expect(res.status, path).toBeLessThan(500);
      if ('refusedAttr' in expected) {
        expect(res.status, path).toBe(400);
        expect(await res.json(), path).toMatchObject({ type: 'validation_error', attr: expected.refusedAttr });
        return;
      }
      expect(res.status, `${path}: ${res.status === 200 ? '' : await res.clone().text()}`).toBe(200);
      expect(ids((await res.json<{ results: T[] }>()).results), path).toEqual(ids(expected));
    }

    for (const text of SQL_LOOKING) {
      const lower = text.toLowerCase();
      await check(
        `${base}/persons/?distinct_id=${q(text)}`,
        persons.filter((p) => p.distinct_ids.includes(text)),
      );
      await check(
        `${base}/persons/?search=${q(text)}`,
        persons.filter(
          (p) =>
            p.distinct_ids.some((d) => d.toLowerCase().includes(lower)) ||
            (emailOf(p) ?? '').toLowerCase().includes(lower) ||
            (typeof p.properties.name === 'string' ? p.properties.name : '').toLowerCase().includes(lower) ||
            p.id === lower,
        ),
      );
      await check(
        `${base}/persons/?${filter({ key: 'email', value: text })}`,
        persons.filter((p) => emailOf(p) === text),
      );
      await check(
        `${base}/persons/?${filter({ key: 'email', value: text, operator: 'icontains' })}`,
        persons.filter((p) => (emailOf(p) ?? '').toLowerCase().includes(lower)),
      );
      await check(
        `${base}/persons/?${filter({ key: 'email', value: [text, 'normal@example.com'], operator: 'is_not' })}`,
        persons.filter((p) => emailOf(p) !== text && emailOf(p) !== 'normal@example.com'),
      );
      const keyRefused = /["\\]/.test(text);
      await check(
        `${base}/persons/?${filter({ key: text, operator: 'is_set' })}`,
        keyRefused
          ? { refusedAttr: 'properties.0.key' }
          : persons.filter((p) => p.properties[text] !== undefined && p.properties[text] !== null),
      );
      await check(
        `${base}/persons/?${filter({ key: text, value: 'v1' })}`,
        keyRefused ? { refusedAttr: 'properties.0.key' } : persons.filter((p) => p.properties[text] === 'v1'),
      );
      const numeric = Number.isFinite(Number(text)) && text.trim() !== '';
      await check(
        `${base}/persons/?${filter({ key: 'n', value: text, operator: 'gt' })}`,
        numeric
          ? persons.filter((p) => typeof p.properties.n === 'number' && p.properties.n > Number(text))
          : { refusedAttr: 'properties.0.value' },
      );
      await check(`${base}/persons/?limit=${q(text)}`, { refusedAttr: 'limit' });
      if (text !== '0') await check(`${base}/persons/?offset=${q(text)}`, { refusedAttr: 'offset' });

      await check(
        `${base}/events/?distinct_id=${q(text)}`,
        events.filter((e) => e.distinct_id === text),
      );
      await check(
        `${base}/events/?event=${q(text)}`,
        events.filter((e) => e.event === text),
      );
      await check(`${base}/events/?person_id=${q(text)}`, { refusedAttr: 'person_id' });
      await check(`${base}/events/?after=${q(text)}`, { refusedAttr: 'after' });
      await check(`${base}/events/?cursor=${q(text)}`, { refusedAttr: 'cursor' });
      await check(
        `${base}/events/?cursor=${encodeCursor([text, text])}&limit=1000`,
        events.filter((e) => e.timestamp <= text && (e.timestamp < text || e.id < text)),
      );

      const res = await rest(`${base}/ingestion_warnings/?type=${q(text)}`);
      expect(res.status).toBe(200);
      expect((await res.json<{ results: WarningJson[] }>()).results).toEqual(warnings.filter((w) => w.type === text));

      for (const path of [`/api/projects/${q(text)}/persons/`, `${base}/persons/${q(text)}/`]) {
        const r = await rest(path);
        expect([400, 404], `${path} answered ${r.status}`).toContain(r.status);
      }
    }
    expect(await counts(), 'no row written or removed by any filter').toEqual(before);
  }, 120_000);
});

describe('CORS', () => {
  it('the REST API sends no CORS headers at all: not on answers, errors or preflights', async () => {
    const p = await newProject('cors');
    const origin = { Origin: 'https://evil.example' };
    const preflight = {
      ...origin,
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    };
    const answers: [string, Response][] = [];
    for (const [method, path] of [
      ...everyEndpoint(p.id, crypto.randomUUID()),
      ['GET', '/api/openapi.json'],
      ['GET', '/api/docs'],
      ['GET', `/api/projects/${p.id}/persons/?limit=x`],
    ] as [string, string][]) {
      answers.push([`${method} ${path}`, await rest(path, { method, headers: origin })]);
      answers.push([`${method} ${path} without key`, await rest(path, { method, headers: origin }, null)]);
      answers.push([`OPTIONS ${path}`, await rest(path, { method: 'OPTIONS', headers: preflight }, null)]);
    }
    for (const [what, res] of answers) {
      const cors = [...res.headers.keys()].filter((h) => h.toLowerCase().startsWith('access-control-'));
      expect(cors, `${what} (${res.status})`).toEqual([]);
      await res.arrayBuffer();
    }
    // Capture answers (CORS by design) are all a browser may read cross-site, and they carry no REST data.
    const underPrefix = await rest(`/ingest/api/projects/${p.id}/persons/`, { headers: origin });
    expect(underPrefix.status).toBe(404);
    expect(await underPrefix.json()).toMatchObject({ code: 'not_found' });
  });
});

describe('secrets stay out of error bodies and logs', () => {
  it('no 401 or 400 answer, and nothing logged while answering, contains the personal key or the key presented', async () => {
    const p = await newProject('secrets');
    const presented = [`${API_KEY}x`, API_KEY.toUpperCase(), `phx_${'s'.repeat(40)}`, `Bearer ${API_KEY}`];
    const bodies: string[] = [];
    const logs = await consoleDuring(async () => {
      const collect = async (res: Response) =>
        bodies.push(`${res.status} ${[...res.headers].join(' ')} ${await res.text()}`);
      for (const key of presented) {
        for (const endpoint of everyEndpoint(p.id, crypto.randomUUID())) await collect(await sendRest(endpoint, key));
        await collect(await rest(`/api/projects/?personal_api_key=${encodeURIComponent(key)}`, {}, null));
        await collect(await rest('/api/projects/', { headers: { Authorization: `Basic ${btoa(`u:${key}`)}` } }, null));
      }
      // With the right key, but a bad request: 400 and 404 bodies.
      for (const path of [
        `/api/projects/${p.id}/persons/?limit=${API_KEY}`,
        `/api/projects/${p.id}/events/?person_id=${API_KEY}`,
        `/api/projects/${API_KEY}/persons/`,
        `/api/projects/${p.id}/persons/?properties=${encodeURIComponent(API_KEY)}`,
      ]) {
        await collect(await rest(path));
      }
      await collect(
        await rest('/api/projects/', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: `{"name": "${API_KEY}`,
        }),
      );
      // Capture: the key where a token goes, as an event name of refused events, as a property key.
      for (const body of [
        { api_key: API_KEY, batch: [ev('e', 'd')] },
        {
          api_key: p.api_token,
          batch: [ev(API_KEY, 'd', { deep: JSON.parse(`${'{"a":'.repeat(80)}1${'}'.repeat(80)}`) })],
        },
        { api_key: p.api_token, batch: [ev(API_KEY, 'd', { blob: 'x'.repeat(1_100_000) })] },
        {
          api_key: p.api_token,
          batch: [ev('e', 'd', { [API_KEY]: JSON.parse(`${'['.repeat(80)}${']'.repeat(80)}`) })],
        },
        { api_key: p.api_token, batch: [ev(API_KEY, 'd', {}, { uuid: API_KEY })] },
      ]) {
        const res = await send('/batch/', body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        await collect(res);
      }
    });
    expect(bodies.length).toBeGreaterThan(40);
    for (const body of bodies) {
      expect(body.startsWith('4'), body.slice(0, 200)).toBe(true);
      for (const secret of [API_KEY, ...presented.map((k) => k.replace(/^Bearer /, ''))]) {
        expect(body.includes(secret), `${secret} in: ${body.slice(0, 300)}`).toBe(false);
      }
    }
    for (const secret of [API_KEY, ...presented]) expect(logs.includes(secret), `${secret} logged`).toBe(false);
  });
});
