import { beforeAll, describe, expect, it } from 'vitest';
import { dbFor, eventually, newProject, send, waitForStored, type ProjectJson } from '../support';
import { query } from './helpers';
import { sql } from 'drizzle-orm';

/**
 * Through the real pipeline (capture → queue → persons → D1): a visitor browses
 * anonymously on Monday, signs in on Tuesday ($identify), buys on Wednesday; a
 * second visitor is aliased; a third merged dangerously. Each is one person in
 * every count, funnel and retention cohort, including the events sent before
 * the merge.
 */
let project: ProjectJson;
const day = (d: number, h = 12) => new Date(Date.UTC(2024, 4, 6 + d, h)).toISOString();

beforeAll(async () => {
  project = await newProject('pipeline queries');
  const e = (event: string, distinctId: string, timestamp: string, properties: Record<string, unknown> = {}) => ({
    uuid: crypto.randomUUID(),
    event,
    distinct_id: distinctId,
    timestamp,
    properties,
  });
  const batches = [
    [e('$pageview', 'anon-a', day(0)), e('$pageview', 'anon-b', day(0)), e('$pageview', 'user-c2', day(0))],
    [
      e('$identify', 'user-a', day(1), { $anon_distinct_id: 'anon-a', $set: { plan: 'pro' } }),
      e('$create_alias', 'anon-b', day(1), { alias: 'user-b' }),
      e('$identify', 'user-c', day(1)),
      e('$identify', 'user-c2', day(1, 13)),
    ],
    [e('$merge_dangerously', 'user-c', day(1, 14), { alias: 'user-c2' }), e('$pageview', 'user-a', day(1, 15))],
    [e('purchase', 'user-a', day(2)), e('purchase', 'user-b', day(2)), e('purchase', 'user-c2', day(2))],
  ];
  // Batches in order: each merge must see the persons the earlier events made.
  for (const batch of batches) {
    const res = await send('/batch/', { api_key: project.api_token, batch });
    expect(res.status).toBe(200);
    await waitForStored(
      project.id,
      batch.map((x) => x.uuid),
    );
  }
  await eventually('three persons after the merges', async () => {
    const [row] = await (await dbFor(project.id)).all<{ n: number }>(
      sql`SELECT count(DISTINCT person_id) AS n FROM person_distinct_ids WHERE project_id = ${project.id}`,
    );
    return row?.n === 3;
  });
});

const range = { date_from: '2024-05-06', date_to: '2024-05-08' };

describe('queries over events ingested with merges', () => {
  it('counts three people in the range, one per visitor, anonymous days included', async () => {
    const daily = await query<{ results: { data: number[] }[] }>(project.id, {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: null, math: 'dau' }],
      dateRange: range,
    });
    expect(daily.results[0]!.data).toEqual([3, 3, 3]);
    const total = await query<{ results: { aggregated_value: number }[] }>(project.id, {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: null, math: 'dau' }],
      dateRange: range,
      trendsFilter: { display: 'BoldNumber' },
    });
    expect(total.results[0]!.aggregated_value).toBe(3);
  });

  it('converts each anonymous pageview into the purchase made after signing in', async () => {
    const funnel = await query<{ results: { count: number }[] }>(project.id, {
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'purchase' },
      ],
      dateRange: range,
    });
    expect(funnel.results.map((s) => s.count)).toEqual([3, 3]);
  });

  it('keeps each visitor in their first-day cohort', async () => {
    const retention = await query<{ results: { values: { count: number }[] }[] }>(project.id, {
      kind: 'RetentionQuery',
      dateRange: { date_to: '2024-05-08' },
      retentionFilter: {
        period: 'Day',
        totalIntervals: 3,
        targetEntity: { id: '$pageview', type: 'events' },
        returningEntity: { id: 'purchase', type: 'events' },
      },
    });
    expect(retention.results[0]!.values.map((v) => v.count)).toEqual([3, 0, 3]);
  });

  it('filters anonymous events by the properties the person has now', async () => {
    const pro = await query<{ results: { data: number[] }[] }>(project.id, {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }],
      dateRange: range,
      properties: [{ key: 'plan', value: 'pro', operator: 'exact', type: 'person' }],
    });
    expect(pro.results[0]!.data).toEqual([1, 1, 0]);
  });
});
