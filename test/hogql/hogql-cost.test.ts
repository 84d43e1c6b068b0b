// A HogQLQuery's cost before it runs (src/query/hogql-cost.ts, src/hogql/cost-reads.ts): the rows of each
// table read, bounded by its WHERE's timestamp range and event names, counted on the index; joins on an
// equality and subqueries add, CROSS JOINs multiply. Compared with the model's counts at the budget's edge.
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUERY_BUDGET, QueryBudget } from '../../src/query/budget';
import { checkCost } from '../../src/query/cost';
import { AnyQuery } from '../../src/query/schema';
import { run } from '../../src/query/source';
import { generateWorld, seedWorld, type World } from '../query/world';
import { dbFor, newProject } from '../support';
import { postQuery } from '../query/helpers';

let projectId: number;
let world: World;
let persons: number;
const NOW = Date.UTC(2024, 2, 25);
const FROM = '2024-03-03T00:00:00.000Z';
const TO = '2024-03-10T00:00:00.000Z';

beforeAll(async () => {
  projectId = (await newProject('hogql cost')).id;
  world = generateWorld({ seed: 37, users: 30, start: Date.UTC(2024, 2, 1), days: 20, eventsPerUser: 6 });
  await seedWorld(projectId, world);
  const [row] = await run<{ n: number }>(
    await dbFor(projectId),
    sql`SELECT count(*) AS n FROM persons WHERE project_id = ${projectId}`,
  );
  persons = row!.n;
});

const budget = (scannedRows: number) => new QueryBudget({ ...QUERY_BUDGET, scannedRows });

/** The budget at which the query just passes: it passes at `rows` and is refused at `rows - 1`. */
async function expectCost(text: string, rows: number, extra: Record<string, unknown> = {}) {
  const ctx = { db: await dbFor(projectId), projectId, timezone: 'UTC', now: NOW };
  const query = AnyQuery.parse({ kind: 'HogQLQuery', query: text, ...extra });
  await expect(checkCost(ctx, query, budget(rows)), text).resolves.toBeUndefined();
  const refused = checkCost(ctx, query, budget(rows - 1));
  await expect(refused, text).rejects.toMatchObject({ status: 400, code: 'query_too_expensive', attr: 'query.query' });
  return refused.catch((e: { position?: { start: number; end: number } }) => e.position);
}

const events = (f: (e: World['events'][number]) => boolean) => world.events.filter(f).length;
const inRange = (e: World['events'][number]) => e.timestamp >= FROM && e.timestamp < TO;

describe('HogQL cost estimate against the model', () => {
  it('counts the rows a WHERE bounds an events table to, and points at the largest read', async () => {
    const text = `SELECT count() FROM events WHERE timestamp >= '${FROM}' AND timestamp < '${TO}' AND event = '$pageview'`;
    const at = await expectCost(
      text,
      events((e) => inRange(e) && e.event === '$pageview'),
    );
    expect(text.slice(at!.start, at!.end)).toBe('events');
    await expectCost(
      `SELECT count() FROM events AS x WHERE x.timestamp BETWEEN '${FROM}' AND '2024-03-09T23:59:59.999Z' AND x.event IN ('signup', 'purchase')`,
      events((e) => inRange(e) && ['signup', 'purchase'].includes(e.event)),
    );
    await expectCost('SELECT count() FROM events', world.events.length);
  });

  it('reads relative bounds and {filters} date ranges', async () => {
    const since = new Date(NOW - 7 * 86_400_000).toISOString();
    await expectCost(
      'SELECT count() FROM events WHERE timestamp > now() - INTERVAL 7 DAY',
      events((e) => e.timestamp >= since),
    );
    await expectCost('SELECT count() FROM events WHERE {filters}', events(inRange), {
      filters: { dateRange: { date_from: FROM, date_to: TO, explicitDate: true } },
    });
  });

  it('adds subqueries, equality joins and UNION ALL members; multiplies CROSS JOINs', async () => {
    const all = world.events.length;
    await expectCost('SELECT count() FROM events e JOIN persons p ON e.person_id = p.id', all + persons);
    await expectCost('SELECT count() FROM events CROSS JOIN persons', all * persons);
    await expectCost('SELECT count() FROM events e JOIN persons p ON e.timestamp > p.created_at', all * persons);
    await expectCost(
      `SELECT count() FROM events WHERE person_id IN (SELECT id FROM persons) AND timestamp >= '${FROM}' AND timestamp < '${TO}'
       UNION ALL SELECT count() FROM persons`,
      events(inRange) + 2 * persons,
    );
    await expectCost('WITH x AS (SELECT event FROM events) SELECT count() FROM x CROSS JOIN x AS y', all * all);
  });

  it('refuses on the endpoint with the 400 and the position of the read', async () => {
    const res = await postQuery(projectId, {
      query: {
        kind: 'HogQLQuery',
        query: 'SELECT count() FROM events a CROSS JOIN (SELECT 1 FROM events) CROSS JOIN events b',
      },
    });
    const body = (await res.json()) as { code: string; start?: number };
    expect(world.events.length ** 3).toBeGreaterThan(QUERY_BUDGET.scannedRows);
    expect([res.status, body.code, typeof body.start]).toEqual([400, 'query_too_expensive', 'number']);
  });
});
