import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  nastyText,
  newProject,
  type ProjectJson,
  fetchWorker,
  send,
  storedUuids,
  waitForStored,
  warningsOf,
  ENCODINGS,
  base64,
  gzip,
} from '../support';

/**
 * Property-based fuzzing of every capture route. The seed is fixed so a run is
 * repeatable; on failure fast-check reports it (with the shrunk counterexample
 * and its path) — rerun with the same SEED to replay.
 */
const SEED = 20_261_122;
const FUZZ_RUNS = { garbage: 1_500, sdkShaped: 1_500, headersAndQuery: 1_000 };

const EVENT_PATHS = ['/e', '/i/v0/e', '/capture', '/track', '/engage', '/batch'];
const OTHER_PATHS = [
  '/flags',
  '/flags/?v=2',
  '/decide',
  '/decide/?v=3',
  '/array/TOKEN/config',
  '/array/TOKEN/config.js',
  '/static/array.js',
  '/static/../../etc/passwd',
  '/static/%2e%2e%2fwrangler.toml',
  '/',
  '/_readiness',
];
/** Weighted towards what SDKs send. */
const METHODS = ['POST', 'POST', 'POST', 'POST', 'GET', 'GET', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'PATCH'];
const ORIGIN = 'https://fuzz.example';

let project: ProjectJson;
/** uuids of events in requests answered 200 whose payload was not mutated: each must end stored. */
const accepted = new Set<string>();
/** For failure messages: the request each accepted uuid came in. */
const acceptedFrom = new Map<string, string>();
const consumerErrors: string[] = [];
/** How often each status was answered, over all runs. */
const answers = new Map<number, number>();

beforeAll(async () => {
  project = await newProject('fuzz');
  const original = console.error;
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    const text = args.map(String).join(' ');
    if (/retried|dead-letter|failed/i.test(text)) consumerErrors.push(text.slice(0, 500));
    original(...args);
  });
});

afterAll(() => {
  vi.restoreAllMocks();
  console.log('fuzz answers by status', JSON.stringify(Object.fromEntries([...answers].sort(([a], [b]) => a - b))));
});

const fuzzed = { seed: SEED, verbose: 1 } as const;

// --- Building blocks --------------------------------------------------------

const nastyString = nastyText(
  '',
  ' ',
  'null',
  'undefined',
  '0',
  'NaN',
  '[object Object]',
  'anonymous',
  'distinct_id',
  '"null"',
  '__proto__',
  'constructor',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  '\u0000',
  '\\',
  '%',
  '%ZZ',
  '$set',
  'phc_',
  'x'.repeat(250),
  '🚀'.repeat(201),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 8.64e15 + 1),
);
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  nastyString,
  weirdNumber,
  fc.constantFrom(null, true, false, [], {}, [[[]]], { $set: 1 }),
);
/** A few distinct ids shared by all runs, so merges across requests really happen. */
const distinctId = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom('user-a', 'user-b', 'user-c', 'anon-1', 'anon-2', 'anon-3', 'alias-x') },
  { weight: 3, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 1e6 }) },
  { weight: 1, arbitrary: jsonish },
);
const eventName = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.constantFrom(
      '$pageview',
      '$identify',
      '$create_alias',
      '$merge_dangerously',
      '$set',
      '$groupidentify',
      '$exception',
      'custom event',
    ),
  },
  { weight: 3, arbitrary: nastyString },
  { weight: 1, arbitrary: jsonish },
);
const propertyBag = fc.dictionary(
  fc.oneof(
    nastyString,
    fc.constantFrom(
      '$set',
      '$set_once',
      '$unset',
      '$anon_distinct_id',
      'alias',
      '$process_person_profile',
      'token',
      'distinct_id',
      '$ip',
      '$geoip_disable',
      '$ignore_sent_at',
      '$current_url',
    ),
  ),
  jsonish,
  { maxKeys: 6 },
);
const timeValue = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  weirdNumber,
  nastyString,
  fc.constant(undefined),
);

interface FuzzEvent {
  [key: string]: unknown;
}

function sdkEvent(token: () => string | undefined): fc.Arbitrary<FuzzEvent> {
  return fc
    .record(
      {
        event: eventName,
        distinct_id: distinctId,
        uuid: fc.oneof(
          { weight: 30, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: fc.constantFrom('', 'not-a-uuid', null) },
        ),
        properties: fc.oneof({ weight: 20, arbitrary: propertyBag }, { weight: 1, arbitrary: jsonish }),
        $set: fc.oneof(propertyBag, jsonish),
        $set_once: fc.oneof(propertyBag, jsonish),
        timestamp: timeValue,
        offset: fc.oneof(weirdNumber, jsonish),
        $anon_distinct_id: distinctId,
      },
      { requiredKeys: ['event', 'distinct_id', 'uuid'] },
    )
    .map((e) => {
      const t = token();
      return t === undefined
        ? e
        : {
            ...e,
            properties: {
              ...(typeof e.properties === 'object' && e.properties && !Array.isArray(e.properties) ? e.properties : {}),
              token: t,
            },
          };
    });
}

/** The project token most of the time; otherwise everything a token must not be. */
const tokenChoice = fc.oneof(
  { weight: 16, arbitrary: fc.constant('real') },
  { weight: 1, arbitrary: fc.constantFrom('unknown', 'personal', 'none', 'empty') },
);
const tokenOf = (choice: string) =>
  ({ real: project.api_token, unknown: 'phc_unknown_fuzz', personal: 'phx_test_key', none: undefined, empty: '' })[
    choice
  ];

const payloadOf = fc
  .tuple(tokenChoice, fc.constantFrom('batch', 'array', 'single', 'token-batch'))
  .chain(([choice, shape]): fc.Arbitrary<unknown> => {
    const token = tokenOf(choice);
    const event = sdkEvent(() => (shape === 'array' || shape === 'single' ? token : undefined));
    switch (shape) {
      case 'array':
        return fc.array(event, { minLength: 1, maxLength: 4 });
      case 'single':
        return event;
      case 'token-batch':
        return fc.record({ token: fc.constant(token), batch: fc.array(event, { maxLength: 4 }), sent_at: timeValue });
      default:
        return fc.record({
          api_key: fc.constant(token),
          batch: fc.array(event, { maxLength: 4 }),
          sent_at: timeValue,
          historical_migration: fc.boolean(),
        });
    }
  });

/** One byte-level mutation of an encoded body: flip, cut, insert or repeat. */
const mutation = fc.option(
  fc.record({
    kind: fc.constantFrom('flip', 'cut', 'insert', 'repeat'),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  { freq: 3 },
);

type Mutation = { kind: string; at: number; bytes: Uint8Array } | null;

async function bytesOf(body: BodyInit | undefined): Promise<Uint8Array> {
  if (body === undefined) return new Uint8Array();
  return new Uint8Array(await new Response(body).arrayBuffer());
}

function mutated(bytes: Uint8Array, m: NonNullable<Mutation>): Uint8Array {
  const at = Math.floor(m.at * bytes.length);
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice();
      if (out.length > 0) out[Math.min(at, out.length - 1)]! ^= m.bytes[0]! || 1;
      return out;
    }
    case 'cut':
      return bytes.slice(0, at);
    case 'insert':
      return new Uint8Array([...bytes.slice(0, at), ...m.bytes, ...bytes.slice(at)]);
    default:
      return new Uint8Array([...bytes, ...bytes.slice(at)]);
  }
}

const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const headerSet = fc.record(
  {
    'Content-Type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=UTF-8',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'text/plain;charset=UTF-8',
      'APPLICATION/JSON',
      '',
    ),
    'Content-Encoding': fc.constantFrom(
      'gzip',
      'GZIP',
      'br',
      'deflate',
      'identity',
      'gzip, gzip',
      'lz64',
      'base64',
      '',
    ),
    Origin: fc.constantFrom(ORIGIN, 'null', 'https://evil.example', 'http://localhost:3000'),
    'Access-Control-Request-Headers': headerText,
    'Access-Control-Request-Method': fc.constantFrom('POST', 'GET', 'DELETE'),
    'CF-Connecting-IP': fc.oneof(fc.ipV4(), headerText),
    'X-Forwarded-For': headerText,
    Cookie: headerText,
    'User-Agent': headerText,
    Authorization: fc.constantFrom('Bearer phx_test_key', 'Bearer phc_x', 'Basic Zm9vOmJhcg=='),
  },
  { requiredKeys: [] },
);

const queryValue = fc.oneof(
  fc.constantFrom(
    '1',
    '0',
    'gzip',
    'gzip-js',
    'lz64',
    'lz-string',
    'base64',
    'b64',
    'none',
    '%ZZ',
    '%ED%A0%80',
    '%00',
    '1700000000000',
    '-1',
    '9'.repeat(40),
    '',
  ),
  headerText.map((s) => encodeURIComponent(s)),
  headerText.map((s) => s.replace(/[#&\s]/g, '')),
);
const queryString = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'compression',
        'beacon',
        'ver',
        '_',
        'sent_at',
        'ip',
        'v',
        'data',
        'retry_count',
        'token',
        'api_key',
        '__proto__',
      ),
      queryValue,
    ),
    { maxLength: 5 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/** A route as SDKs (and others) might call it: root or /ingest, trailing slash or not. */
const eventRoute = fc
  .tuple(fc.constantFrom('', '/ingest'), fc.constantFrom(...EVENT_PATHS), fc.boolean())
  .map(([prefix, path, slash]) => `${prefix}${path}${slash ? '/' : ''}`);
const anyRoute = fc.oneof(
  { weight: 3, arbitrary: eventRoute },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('', '/ingest'), fc.constantFrom(...OTHER_PATHS))
      .map(([prefix, path]) => `${prefix}${path.replace('TOKEN', 'phc_fuzz')}`),
  },
  { weight: 1, arbitrary: fc.webPath().map((p) => `/ingest/${p.replace(/^\//, '')}`) },
);

// --- Checking answers -------------------------------------------------------

interface Sent {
  method: string;
  path: string;
  origin?: string;
}

const isEventRoute = (path: string) =>
  EVENT_PATHS.some((p) => new RegExp(`^(/ingest)?${p.replace(/\//g, '\\/')}/?(\\?|$)`).test(path));

/** Never a 5xx; errors are JSON in the capture shape (or the app's 404 shape off the capture routes); CORS on capture answers. */
async function expectSound(res: Response, sent: Sent): Promise<void> {
  answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
  const where = `${sent.method} ${sent.path}`;
  expect(res.status, `${where} answered ${res.status}`).toBeLessThan(500);
  // As the Worker sees it: `..` segments resolved.
  const pathname = new URL(sent.path, 'http://x').pathname;
  const captureRoute = isEventRoute(pathname) && ['GET', 'POST', 'HEAD', 'OPTIONS'].includes(sent.method);
  if (sent.origin && captureRoute) expect(res.headers.get('Access-Control-Allow-Origin'), where).toBe(sent.origin);
  if (sent.method === 'HEAD' || res.status === 204) {
    await res.arrayBuffer();
    return;
  }
  if (res.status >= 400) {
    expect(res.headers.get('Content-Type'), where).toMatch(/^application\/json/);
    const body = await res.json<Record<string, unknown>>();
    if (captureRoute || pathname.startsWith('/ingest')) {
      expect(body, where).toEqual({ status: res.status, code: expect.any(String), error: expect.any(String) });
    } else {
      expect(body, where).toMatchObject({ code: expect.any(String) });
      expect(typeof body.error === 'string' || typeof body.detail === 'string', where).toBe(true);
    }
    return;
  }
  if (captureRoute && sent.method !== 'OPTIONS') {
    expect(res.status, where).toBe(200);
    expect(await res.json(), where).toEqual({ status: 1 });
    return;
  }
  await res.arrayBuffer();
}

function acceptedUuids(payload: unknown): string[] {
  const events = Array.isArray(payload)
    ? payload
    : payload && typeof payload === 'object' && 'batch' in payload
      ? (payload as { batch: unknown[] }).batch
      : [payload];
  return events.flatMap((e) => {
    const uuid = (e as FuzzEvent | null)?.uuid;
    return typeof uuid === 'string' && /^[0-9a-f-]{36}$/i.test(uuid) ? [uuid.toLowerCase()] : [];
  });
}

function remember(uuid: string, request: string): void {
  accepted.add(uuid);
  if (!acceptedFrom.has(uuid)) acceptedFrom.set(uuid, request.slice(0, 1_000));
}

async function stillServes(): Promise<void> {
  const marker = { event: 'still serving', distinct_id: 'fuzz-marker', uuid: crypto.randomUUID() };
  const res = await send('/batch/', { api_key: project.api_token, batch: [marker] });
  expect(res.status).toBe(200);
  await waitForStored(project.id, [marker.uuid]);
}

// --- Properties ---------------------------------------------------------------

describe(`capture fuzzing (seed ${SEED})`, () => {
  it(`garbage bodies on every route and method never get a 5xx (${FUZZ_RUNS.garbage} runs)`, async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array([0x1f, 0x8b, 8, 0, ...b])),
      fc.uint8Array({ maxLength: 96 }).map((b) => base64(String.fromCharCode(...b))),
      fc.string({ maxLength: 80 }).map((s) => `data=${s}`),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 60, max: 3_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc
        .integer({ min: 60, max: 3_000 })
        .map(
          (n) =>
            `{"api_key":"${project.api_token}","event":"e","distinct_id":"d","properties":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`,
        ),
      fc.constantFrom(
        '',
        ' ',
        '{}',
        '[]',
        'null',
        '1e999',
        '"\\ud800"',
        '{"batch":{}}',
        '{"batch":null}',
        `{"api_key":"${'x'.repeat(400)}","event":"e","distinct_id":"d"}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        anyRoute,
        fc.constantFrom(...METHODS),
        body,
        queryString,
        headerSet,
        async (route, method, b, query, headers) => {
          const path = query ? `${route}${route.includes('?') ? '&' : '?'}${query}` : route;
          const withBody = method !== 'GET' && method !== 'HEAD';
          const res = await fetchWorker(path, { method, headers, body: withBody ? b : undefined });
          await expectSound(res, { method, path, origin: headers.Origin });
        },
      ),
      { ...fuzzed, numRuns: FUZZ_RUNS.garbage },
    );
    await stillServes();
  });

  it(`SDK-shaped payloads in every encoding, some mutated, never get a 5xx and what is accepted is stored (${FUZZ_RUNS.sdkShaped} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadOf,
        fc.nat(ENCODINGS.length - 1),
        eventRoute,
        mutation,
        fc.boolean(),
        async (payload, encodingIndex, route, m, withOrigin) => {
          const encoding = ENCODINGS[encodingIndex]!;
          const wire = await encoding.encode(JSON.stringify(payload));
          const headers: Record<string, string> = { ...wire.headers };
          if (withOrigin) headers.Origin = ORIGIN;
          let body: BodyInit | undefined = wire.body;
          let query = wire.query;
          if (m && encoding.method === 'POST') body = mutated(await bytesOf(body), m);
          if (m && encoding.method === 'GET' && query)
            query = new TextDecoder().decode(mutated(new TextEncoder().encode(query), m)).replace(/[#\s]/g, '');
          const path = query ? `${route}?${query}` : route;
          const res = await fetchWorker(path, { method: encoding.method, body, headers });
          const status = res.status;
          await expectSound(res, { method: encoding.method, path, origin: headers.Origin });
          if (status === 200 && !m)
            for (const uuid of acceptedUuids(payload))
              remember(uuid, `${encoding.name} ${path} ${JSON.stringify(payload)}`);
        },
      ),
      { ...fuzzed, numRuns: FUZZ_RUNS.sdkShaped },
    );
    await stillServes();
  });

  it(`random query strings and headers on valid and invalid payloads never get a 5xx (${FUZZ_RUNS.headersAndQuery} runs)`, async () => {
    const small = fc.record({ event: eventName, distinct_id: distinctId, uuid: fc.uuid() });
    await fc.assert(
      fc.asyncProperty(
        eventRoute,
        fc.constantFrom('GET', 'POST', 'POST', 'OPTIONS'),
        small,
        queryString,
        headerSet,
        fc.boolean(),
        async (route, method, event, query, headers, zipped) => {
          const payload = { api_key: project.api_token, batch: [event] };
          const json = JSON.stringify(payload);
          const body = method === 'POST' ? (zipped ? await gzip(json) : json) : undefined;
          const path = query ? `${route}?${query}` : route;
          const res = await fetchWorker(path, { method, headers, body });
          const status = res.status;
          await expectSound(res, { method, path, origin: headers.Origin });
          // Only when the body is what was accepted (a query `data=` would replace it).
          if (status === 200 && method === 'POST' && !/(^|&)data=[^&]/.test(query))
            for (const uuid of acceptedUuids(payload))
              remember(uuid, `POST ${path} ${JSON.stringify(headers)} ${json}`);
        },
      ),
      { ...fuzzed, numRuns: FUZZ_RUNS.headersAndQuery },
    );
    await stillServes();
  });

  it('every event accepted during the fuzzing is stored (or dropped by rule, with a warning), none through the dead-letter queue', async () => {
    expect(accepted.size).toBeGreaterThan(250);
    const uuids = [...accepted];
    // Person-only events sent with $process_person_profile: false are dropped by rule, with a warning.
    const accountedFor = async () => {
      const stored = await storedUuids(project.id, uuids);
      const dropped = new Set(
        (await warningsOf(project.id))
          .filter((w) => w.type === 'invalid_event_when_process_person_profile_is_false')
          .map((w) => w.eventUuid),
      );
      return uuids.filter((u) => !stored.has(u) && !dropped.has(u));
    };
    let missing = uuids;
    const deadline = Date.now() + 60_000;
    while (missing.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      missing = await accountedFor();
    }
    expect(
      missing,
      `accepted but never stored:\n${missing
        .slice(0, 5)
        .map((u) => acceptedFrom.get(u))
        .join('\n')}`,
    ).toEqual([]);
    // A poison message would reach the dead-letter queue after its retries (about 6 s here).
    await new Promise((r) => setTimeout(r, 8_000));
    const deadLetters = (await warningsOf(project.id)).filter((w) => w.type === 'ingestion_retries_exhausted');
    expect(deadLetters, consumerErrors.join('\n')).toEqual([]);
    expect(consumerErrors).toEqual([]);
    console.log(`fuzz: ${accepted.size} accepted events followed to storage, none dead-lettered`);
  }, 120_000);
});
