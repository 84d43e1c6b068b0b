import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery } from './helpers';
import { generateWorld, seedWorld } from './world';

let mine: number;
let other: number;
const otherUuids = new Set<string>();

beforeAll(async () => {
  mine = (await newProject('hogql fuzz')).id;
  other = (await newProject('hogql fuzz other')).id;
  const w1 = generateWorld({ seed: 21, users: 10, start: Date.UTC(2024, 2, 1), days: 5, eventsPerUser: 4 });
  const w2 = generateWorld({ seed: 22, users: 10, start: Date.UTC(2024, 2, 1), days: 5, eventsPerUser: 4 });
  await seedWorld(mine, w1);
  await seedWorld(other, w2);
  for (const e of w2.events) otherUuids.add(e.uuid);
});

const PIECES = [
  'SELECT',
  '*',
  'uuid',
  'event',
  'FROM',
  'events',
  'persons',
  'person_distinct_ids',
  'sqlite_master',
  'WHERE',
  '1',
  '=',
  "'x'",
  "'\\''",
  "''''",
  '"',
  '`',
  ';',
  '--',
  '/*',
  '*/',
  '(',
  ')',
  ',',
  'UNION ALL',
  'JOIN',
  'ON',
  'project_id',
  'team_id',
  'properties.$browser',
  'count()',
  'ключ',
  '🔑',
  '\\',
  '{filters}',
  '{x}',
  'LIMIT',
  'ATTACH',
  'PRAGMA',
  'e.project_id',
];

async function ask(text: string): Promise<{ status: number; body: string; ms: number }> {
  const started = Date.now();
  const res = await postQuery(mine, { query: { kind: 'HogQLQuery', query: text, values: { x: 1 } } });
  return { status: res.status, body: await res.text(), ms: Date.now() - started };
}

function expectSafe(text: string, answer: { status: number; body: string; ms: number }) {
  expect([text, answer.status < 500]).toEqual([text, true]);
  expect(answer.ms).toBeLessThan(2_000);
  for (const uuid of otherUuids) expect(answer.body.includes(uuid)).toBe(false);
}

describe('hostile HogQL', () => {
  it('random token soup: no 5xx, quick, nothing of another project', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 30 }), async (tokens) => {
        const text = tokens.join(' ');
        expectSafe(text, await ask(text));
      }),
      { numRuns: 120, seed: 25 },
    );
  });

  it('deep nesting, long texts, escapes, comments, unicode and other tables', async () => {
    const cases = [
      `SELECT ${'('.repeat(500)}1${')'.repeat(500)}`,
      `SELECT ${'toString('.repeat(60)}1${')'.repeat(60)} FROM events`,
      `SELECT ${'1 + '.repeat(5_000)}1`,
      `SELECT '${'x'.repeat(19_000)}'`,
      `SELECT count() FROM events WHERE event = '\\'; DROP TABLE events; --'`,
      "SELECT count() FROM events WHERE event = 'a' -- ' OR 1=1",
      "SELECT count() FROM events /* ; */ WHERE properties.`ключ 🔑` = 'ünï'",
      'SELECT * FROM events WHERE 1 = 1; SELECT * FROM persons',
      'SELECT * FROM events e JOIN persons p ON 1 = 1 JOIN persons q ON 1 = 1 JOIN persons r ON 1 = 1',
      `SELECT uuid FROM events UNION ALL SELECT toString(id) FROM persons LIMIT 50000`,
      'SELECT * FROM events WHERE team_id != 0',
      'SELECT uuid FROM events WHERE distinct_id IN (SELECT distinct_id FROM person_distinct_ids)',
      'SELECT count() FROM events a, events b',
      `SELECT ${Array.from({ length: 300 }, (_, i) => `'v${i}'`).join(', ')}`,
      'SELECT uuid FROM events LIMIT 100000000',
    ];
    for (const text of cases) expectSafe(text, await ask(text));
  });

  it('reads only the own project: every uuid any query returns is one of its events', async () => {
    const res = await postQuery(mine, {
      query: {
        kind: 'HogQLQuery',
        query: 'SELECT uuid FROM events UNION ALL SELECT toString(id) FROM persons LIMIT 5000',
      },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: string[][] };
    expect(body.results.length).toBeGreaterThan(0);
    for (const [uuid] of body.results) expect(otherUuids.has(uuid!)).toBe(false);
  });
});
