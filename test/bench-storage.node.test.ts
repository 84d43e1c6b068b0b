// The storage benchmark's own logic (bench/storage.mjs and its lib), in plain Node: the
// posthog-js-shaped event stream, the dbstat breakdown, per-event use and prices, the floor's
// statements and the RESULTS.md splice. `--project node`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuSecondsBetween } from '../bench/lib/cpu.mjs';
import { tableWritten } from '../bench/meter';
import { expectedOf, posthogJsMix, uuidv7, type PosthogJsEvent } from '../bench/lib/posthog-js-mix.mjs';
import { dollarsPerMillionEvents } from '../bench/lib/prices.mjs';
import { spliceStorageReport } from '../bench/lib/splice-report.mjs';
import {
  floorStatements,
  perEventUse,
  storageBreakdown,
  weightedUse,
  type Dbstat,
  type MeterReading,
} from '../bench/lib/storage-figures.mjs';

const START = Date.UTC(2026, 11, 1, 9);
const mix = (count: number, seed = 27) =>
  posthogJsMix(count, { seed, startMs: START, visitors: Math.round(count * 0.3), users: count / 40, token: 'phc_t' });
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const uuidMs = (uuid: string) => Number.parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
const p = (e: PosthogJsEvent) => e.properties;

describe('the posthog-js-shaped stream', () => {
  const { events, kinds, expected } = mix(8_000);

  it('is the same for the same seed and start, and another for another seed', () => {
    expect(mix(500)).toEqual(mix(500));
    expect(mix(500, 28).events[0]).not.toEqual(mix(500).events[0]);
  });

  it('is 70% person-less, 25% identified with $set, 5% $identify', () => {
    expect(kinds.personless / events.length).toBeCloseTo(0.7, 1);
    expect(kinds.identified / events.length).toBeCloseTo(0.25, 1);
    expect(kinds.identify / events.length).toBeCloseTo(0.05, 1);
    const personless = events.filter((e) => p(e).$process_person_profile === false);
    expect(personless).toHaveLength(kinds.personless);
    expect(personless.filter((e) => p(e).distinct_id !== p(e).$device_id)).toEqual([]);
    const identified = events.filter((e) => p(e).$process_person_profile === true && e.event !== '$identify');
    expect(identified).toHaveLength(kinds.identified);
    const plan = (e: PosthogJsEvent) => (p(e).$set as { plan?: unknown } | undefined)?.plan;
    expect(identified.filter((e) => p(e).distinct_id !== p(e).$user_id || typeof plan(e) !== 'string')).toEqual([]);
  });

  it('has posthog-js sized events: 40–60 properties, 1.5–2.2 KB of JSON on average', () => {
    const pageviews = events.filter((e) => e.event === '$pageview');
    const keys = pageviews.map((e) => Object.keys(p(e)).length);
    expect(Math.min(...keys)).toBeGreaterThanOrEqual(38);
    expect(Math.max(...keys)).toBeLessThanOrEqual(75);
    const average = events.reduce((a, e) => a + JSON.stringify(e).length, 0) / events.length;
    expect(average).toBeGreaterThan(1_500);
    expect(average).toBeLessThan(2_200);
  });

  it('uses property names posthog-js itself sends', () => {
    const sdk = readFileSync('node_modules/posthog-js/dist/module.js', 'utf8');
    const literal = (k: string) => [`"${k}"`, `'${k}'`, `${k}:`, `.${k}=`, `.${k},`].some((s) => sdk.includes(s));
    // posthog-js builds these two families from a prefix and the name of the value.
    const prefixed = (k: string) =>
      ['$session_entry_', '$initial_'].some(
        (prefix) =>
          k.startsWith(prefix) &&
          (sdk.includes(`"${prefix}"`) || sdk.includes(`\`${prefix}`)) &&
          (literal(k.slice(prefix.length)) || literal(`$${k.slice(prefix.length)}`)),
      );
    const names = new Set(events.flatMap((e) => [...Object.keys(p(e)), ...Object.keys(e.$set_once ?? {})]));
    expect(names.size).toBeGreaterThan(60);
    expect([...names].filter((k) => !literal(k) && !prefixed(k))).toEqual([]);
  });

  it('ids are UUIDv7 of the event time, rising through the stream', () => {
    const times = events.map((e) => uuidMs(e.uuid));
    expect(events.filter((e) => !UUID_V7.test(e.uuid))).toEqual([]);
    expect(events.filter((e) => uuidMs(e.uuid) !== Date.parse(e.timestamp))).toEqual([]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const ids = events.flatMap((e) => ['$session_id', '$window_id', '$device_id', '$pageview_id'].map((k) => p(e)[k]));
    expect(ids.filter((id) => typeof id !== 'string' || !UUID_V7.test(id))).toEqual([]);
    expect(uuidv7(START, () => 0.5)).toMatch(UUID_V7);
  });

  it('keeps a browser its user agent and screen, and a session its ids and landing', () => {
    const groups = (key: string) => {
      const by = new Map<unknown, Record<string, unknown>[]>();
      for (const e of events) by.set(p(e)[key], [...(by.get(p(e)[key]) ?? []), p(e)]);
      return [...by.values()].filter((list) => list.length > 2);
    };
    const differing = (lists: Record<string, unknown>[][], keys: string[]) =>
      lists.filter((list) => list.some((x) => keys.some((k) => x[k] !== list[0]![k])));
    const browsers = groups('$device_id');
    const sessions = groups('$session_id');
    expect(browsers.length).toBeGreaterThan(100);
    expect(sessions.length).toBeGreaterThan(100);
    expect(differing(browsers, ['$raw_user_agent', '$screen_width', '$timezone'])).toEqual([]);
    expect(differing(sessions, ['$window_id', '$session_entry_url', '$device_id'])).toEqual([]);
  });

  it('identifies a new browser into a user: its device id joins the person', () => {
    const identifies = events.filter((e) => e.event === '$identify');
    expect(identifies).toHaveLength(kinds.identify);
    const wrong = identifies.filter(
      (e) =>
        p(e).$anon_distinct_id !== p(e).$device_id ||
        p(e).distinct_id === p(e).$device_id ||
        e.$set?.email !== `${p(e).distinct_id}@example.com` ||
        e.$set_once?.$initial_pathname !== p(e).$session_entry_pathname,
    );
    expect(identifies.length).toBeGreaterThan(200);
    expect(wrong).toEqual([]);
    const users = new Set(events.filter((e) => p(e).$process_person_profile).map((e) => p(e).distinct_id));
    expect(expected).toEqual({
      events: events.length,
      persons: users.size,
      distinct_ids: users.size + identifies.length,
      merges: identifies.length,
    });
    expect(expectedOf(events.slice(0, 10)).events).toBe(10);
  });
});

const stat: Dbstat = {
  page_size: 4096,
  page_count: 100,
  freelist_count: 2,
  names: [
    ['events', 'events', 'table', 60],
    ['sqlite_autoindex_events_1', 'events', 'index', 5],
    ['events_project_timestamp_idx', 'events', 'index', 8],
    ['events_project_group0_timestamp_idx', 'events', 'index', 1],
    ['persons', 'persons', 'table', 4],
    ['persons_project_created_idx', 'persons', 'index', 1],
    ['property_definitions', 'property_definitions', 'table', 2],
    ['sqlite_schema', 'sqlite_schema', 'table', 1],
    ['events_floor', 'events_floor', 'table', 15],
  ].map(([name, table, type, pages]) => ({
    name: name as string,
    table: table as string,
    type: type as string,
    pages: pages as number,
    bytes: (pages as number) * 4096,
    payload: (pages as number) * 2048,
    unused: 0,
    cells: 1,
  })),
};

describe('the shard by part', () => {
  it('counts every table and index once, free pages with everything else, the floor apart', () => {
    const b = storageBreakdown(stat, 100);
    const part = (name: string) => b.parts.find((x) => x.part === name);
    expect(part('events (rows)')?.bytes).toBe(60 * 4096);
    expect(part('events key (project_id, uuid)')?.bytes).toBe(5 * 4096);
    expect(part('events index events_project_timestamp_idx')?.bytes).toBe(8 * 4096);
    expect(part('events group indexes (5, partial)')?.bytes).toBe(4096);
    expect(part('persons (with indexes)')?.bytes).toBe(5 * 4096);
    expect(part('definitions (event, property, event × property)')?.bytes).toBe(2 * 4096);
    expect(part('everything else (other tables, schema, free pages)')?.bytes).toBe(3 * 4096);
    expect(b.total_bytes).toBe(84 * 4096);
    expect(b.bytes_per_event).toBe((84 * 4096) / 100);
    expect(b.floor).toEqual({ bytes: 15 * 4096, fill: 0.5 });
    expect(b.shard_capacity_events).toBeCloseTo(10e9 / ((84 * 4096) / 100));
    expect(b.parts.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1);
    expect(b.parts.map((x) => x.bytes)).toEqual([...b.parts.map((x) => x.bytes)].sort((x, y) => y - x));
  });
});

const reading = (rowsWritten: number, events: number): MeterReading => ({
  databases: { SHARD_1: { requests: 2, statements: 4, rows_read: 3 * events, rows_written: rowsWritten } },
  tables: { events: { statements: 2, rows_read: 0, rows_written: rowsWritten } },
  queue: { messages: events / 20, bytes: (events / 20) * 40_000, chunks: events / 20 },
  consumer: { invocations: 1, messages: events / 20 },
  person_object_calls: 0,
});

describe('what an event costs', () => {
  it('per event of a metered run, and weighted by the kinds of the mix', () => {
    const personless = perEventUse(reading(5_000, 1_000), 1_000, 50);
    expect(personless).toMatchObject({ rowsWritten: 5, rowsRead: 3, queueChunks: 0.05, captureRequests: 0.05 });
    expect(personless.queueBytes).toBe(40_000);
    const merges = perEventUse(reading(1_600, 100), 100, 5);
    const mixed = weightedUse([
      { share: 0.7, use: personless },
      { share: 0.3, use: merges },
    ]);
    expect(mixed.rowsWritten).toBeCloseTo(0.7 * 5 + 0.3 * 16);
  });

  it('in dollars per million events at the list prices', () => {
    const { lines, ingest, storage } = dollarsPerMillionEvents({
      workerRequests: 0.05,
      cpuMs: 1,
      queueChunks: 0.05,
      rowsWritten: 5,
      rowsRead: 3,
      personObjectCalls: 0,
      storedBytes: 2_500,
    });
    const line = (item: string) => lines.find((l) => l.item === item)?.dollars;
    expect(line('D1 rows written')).toBeCloseTo(5);
    expect(line('Workers requests')).toBeCloseTo(0.015);
    expect(line('Queues operations')).toBeCloseTo(0.06);
    expect(line('Workers CPU')).toBeCloseTo(0.02);
    expect(line('D1 rows read')).toBeCloseTo(0.003);
    expect(ingest).toBeCloseTo(lines.reduce((a, l) => a + l.dollars, 0));
    expect(storage.dollars).toBeCloseTo(2.5 * 0.75);
  });
});

describe('the floor', () => {
  it('writes at most 2,000 rows and under D1’s 2 MB per statement, every row once, in order', () => {
    const small = Array.from({ length: 4_500 }, (_, i) => [`u${i}`, 'x']);
    expect(floorStatements(small).map((s) => s.length)).toEqual([2_000, 2_000, 500]);
    const large = Array.from({ length: 1_000 }, (_, i) => [`u${i}`, 'é'.repeat(5_000)]);
    const statements = floorStatements(large);
    for (const s of statements) expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThanOrEqual(2_000_000);
    expect(statements.length).toBeGreaterThan(4);
    expect(statements.flat()).toEqual(large);
  });
});

describe('runtime CPU between two readings', () => {
  it('adds what each process used, new ones whole, and is unknown when one ended', () => {
    const before = new Map([
      [1, 100],
      [2, 50],
    ]);
    const after = new Map([
      [1, 150],
      [2, 70],
      [3, 10],
    ]);
    expect(cpuSecondsBetween(before, after)).toBeCloseTo(0.8);
    expect(cpuSecondsBetween(before, new Map([[1, 150]]))).toBeNaN();
  });
});

describe('the meter', () => {
  it('names the table each statement writes', () => {
    expect(tableWritten('INSERT INTO events (project_id) SELECT value FROM json_each(?)')).toBe('events');
    expect(tableWritten('insert or ignore into "persons" ("id") values (?)')).toBe('persons');
    expect(tableWritten('WITH x AS (SELECT 1) INSERT INTO `person_distinct_ids` SELECT * FROM x')).toBe(
      'person_distinct_ids',
    );
    expect(tableWritten('UPDATE persons SET version = version + 1')).toBe('persons');
    expect(tableWritten('DELETE FROM person_distinct_ids WHERE person_id = ?')).toBe('person_distinct_ids');
    expect(tableWritten('SELECT * FROM events')).toBe('(reads)');
  });
});

function results() {
  const b = storageBreakdown(stat, 100);
  const kind = (name: string, share: number, rows: number) => ({
    kind: name,
    share,
    complete: true,
    use: perEventUse(reading(rows * 100, 100), 100, 5),
    reading: reading(rows * 100, 100),
  });
  const kinds = [
    kind('person-less', 0.7, 5),
    kind('identified with $set', 0.25, 6),
    kind('$identify (merge)', 0.05, 16),
  ];
  return {
    command: 'npm run bench',
    finished_at: '2026-12-08T10:00:00.000Z',
    total_seconds: 120,
    config: {},
    machine: {
      nproc: 2,
      cpu_model: 'cpu',
      memory_gb: 8,
      node: 'v20',
      wrangler: '4.86.0',
      os: 'Linux',
      load_before: [1, 1, 1],
      load_after: [1, 1, 1],
    },
    storage: {
      mix: {
        events: 100,
        kinds: { personless: 70, identified: 25, identify: 5 },
        json_bytes_per_event: 1_800,
        properties_per_event: 46,
        stored_properties_bytes_per_event: 2_100,
      },
      end_to_end: {
        events_per_request: 20,
        stored_events: 100,
        complete: true,
        seconds: 1,
        events_per_s: 100,
        cpu_ms_per_event: 1,
      },
      floor: {
        rows: 100,
        statements: 1,
        rows_per_statement: 100,
        seconds: 0.1,
        rows_per_s: 1_000,
        wall_seconds: 0.2,
        cpu_ms_per_row: 0.2,
      },
      ratio_to_floor: 0.1,
      breakdown: b,
      kinds,
      mix_use: weightedUse(kinds),
      costs: dollarsPerMillionEvents({
        workerRequests: 0.05,
        cpuMs: 1,
        queueChunks: 0.05,
        rowsWritten: 5.6,
        rowsRead: 3,
        personObjectCalls: 0,
        storedBytes: b.bytes_per_event,
      }),
    },
  };
}

const RESULTS = `# Benchmark results

## 6. Queries (…)

| query | ms |
| --- | ---: |
| trends | 1,431 |

## 7. Peak memory of the runtime (…)

| phase | peak RSS MB |
| --- | ---: |
| capture | 2,138 |

## Targets

| target | measured | met |
| --- | ---: | ---: |
| capture single event, JSON: ≥ 90% of durable-accept req/s | 95% | yes |
| trends: ≤ 2× the floor | 0.85× | yes |

## Notes

- a note
`;

describe('RESULTS.md after a full-size storage run alone', () => {
  it('gains section 7 before peak memory (now 8) and the storage targets, every other figure kept', () => {
    const out = spliceStorageReport(RESULTS, results());
    const lines = out.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at('## 6. Queries')).toBeLessThan(at('## 7. Storage: bytes per stored event'));
    expect(at('## 7. Storage: dollars per million events')).toBeLessThan(at('## 8. Peak memory'));
    expect(out).not.toContain('## 7. Peak memory');
    for (const kept of [
      '| trends | 1,431 |',
      '| capture | 2,138 |',
      '| trends: ≤ 2× the floor | 0.85× | yes |',
      '- a note',
    ])
      expect(out).toContain(kept);
    const targets = lines.slice(at('## Targets'), at('## Notes')).filter((l) => l.startsWith('| storage: '));
    expect(targets).toHaveLength(4);
    expect(targets[0]).toMatch(/^\| storage: ≤ 400 bytes per stored event, all in \(#27\) \| 3,441 bytes \| NO \|$/);
    expect(lines[at('## Notes') - 2]).toMatch(/^\| storage: end-to-end ≥ 10,000 events\/s/);
    expect(out).toContain('| all in | 344,064 | 3,441 | 100% |  |');
  });

  it('replaces its own section and targets on the next run', () => {
    const once = spliceStorageReport(RESULTS, results());
    expect(spliceStorageReport(once, results())).toBe(once);
  });
});
