/**
 * No field is accepted and ignored: every unknown or unsupported field of every kind is a 400
 * naming it, display-only fields leave the answer as it is, and EventsQuery.events filters.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery, query } from './helpers';
import { generateWorld, seedWorld, type World } from './world';

let projectId: number;
let world: World;

beforeAll(async () => {
  projectId = (await newProject('query fields')).id;
  world = generateWorld({ seed: 3, users: 30, start: Date.UTC(2024, 2, 1), days: 10, eventsPerUser: 6 });
  await seedWorld(projectId, world);
});

const trends = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] };
const funnels = {
  kind: 'FunnelsQuery',
  series: [
    { kind: 'EventsNode', event: '$pageview' },
    { kind: 'EventsNode', event: 'signup' },
  ],
};
const retention = { kind: 'RetentionQuery', retentionFilter: {} };
const events = { kind: 'EventsQuery', select: ['event'] };

/** [the query, the path of the field that must be named]. */
const REFUSED: [Record<string, unknown>, string][] = [
  [{ ...trends, bogus: 1 }, 'query.bogus'],
  [{ ...trends, samplingFactor: 0.1 }, 'query.samplingFactor'],
  [{ ...trends, modifiers: { personsOnEventsMode: 'x' } }, 'query.modifiers'],
  [{ ...trends, conversionGoal: { actionId: 1 } }, 'query.conversionGoal'],
  [{ ...trends, series: [{ kind: 'EventsNode', event: 'x', math_hogql: 'count()' }] }, 'query.series.0.math_hogql'],
  [{ ...trends, series: [{ kind: 'EventsNode', event: 'x', colour: 'red' }] }, 'query.series.0.colour'],
  [{ ...trends, trendsFilter: { smoothingIntervals: 7 } }, 'query.trendsFilter.smoothingIntervals'],
  [{ ...trends, trendsFilter: { formulla: 'A' } }, 'query.trendsFilter.formulla'],
  [{ ...trends, compareFilter: { compare: true, to: '-1w' } }, 'query.compareFilter.to'],
  [
    { ...trends, breakdownFilter: { breakdown: 'x', breakdown_histogram_bin_count: 5 } },
    'query.breakdownFilter.breakdown_histogram_bin_count',
  ],
  [
    { ...trends, breakdownFilter: { breakdown: 'x', breakdown_normalize_url: true } },
    'query.breakdownFilter.breakdown_normalize_url',
  ],
  [{ ...trends, dateRange: { date_from: '-7d', from: '-1d' } }, 'query.dateRange.from'],
  [{ ...trends, properties: [{ key: 'a', value: 1, operator: 'exact', negate: true }] }, 'query.properties.0.negate'],
  [{ ...funnels, funnelsFilter: { funnelFromStep: 0 } }, 'query.funnelsFilter.funnelFromStep'],
  [{ ...funnels, funnelsFilter: { funnelVizType: 'trends' } }, 'query.funnelsFilter.funnelVizType'],
  [{ ...funnels, funnelsFilter: { binCount: 5 } }, 'query.funnelsFilter.binCount'],
  [
    { ...funnels, series: [{ kind: 'EventsNode', event: 'a', optionalInFunnel: true }, funnels.series[1]] },
    'query.series.0.optionalInFunnel',
  ],
  [{ ...retention, retentionFilter: { cumulative: true } }, 'query.retentionFilter.cumulative'],
  // Computed now, within bounds: more cohorts than a retention answer holds, a malformed exclusion or attribution.
  [{ ...retention, dateRange: { date_from: '-3000d' } }, 'query.dateRange.date_from'],
  [
    { ...funnels, funnelsFilter: { exclusions: [{ event: 'x', funnelFromStep: 0, funnelToStep: 1, bogus: 1 }] } },
    'query.funnelsFilter.exclusions.0.bogus',
  ],
  [
    { ...funnels, funnelsFilter: { breakdownAttributionType: 'middle_touch' } },
    'query.funnelsFilter.breakdownAttributionType',
  ],
  [
    { ...trends, breakdownFilter: { breakdown: 'a', breakdowns: [{ property: 'b' }] } },
    'query.breakdownFilter.breakdowns',
  ],
  [
    { ...trends, breakdownFilter: { breakdowns: [{ property: 'b', type: 'cohort' }] } },
    'query.breakdownFilter.breakdowns.0.type',
  ],
  [
    {
      ...funnels,
      breakdownFilter: { breakdowns: [{ property: 'a' }, { property: 'b' }, { property: 'c' }, { property: 'd' }] },
    },
    'query.breakdownFilter.breakdowns',
  ],
  [{ ...retention, retentionFilter: { minimumOccurrences: 3 } }, 'query.retentionFilter.minimumOccurrences'],
  [
    { ...retention, retentionFilter: { targetEntity: { id: 'x', properties: [{ key: 'a' }] } } },
    'query.retentionFilter.targetEntity.properties',
  ],
  [{ ...retention, breakdownFilter: { breakdown: 'x' } }, 'query.breakdownFilter'],
  [{ ...events, actionId: 3 }, 'query.actionId'],
  [{ ...events, select: ['event'], eventz: ['x'] }, 'query.eventz'],
];

describe('fields of every query kind', () => {
  it.each(REFUSED)('refuses %j naming %s', async (q, attr) => {
    const res = await postQuery(projectId, { query: q });
    const body = (await res.json()) as { attr: string; detail: string };
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.attr).toBe(attr);
    expect(body.detail.startsWith(`${attr}:`)).toBe(true);
  });

  it('answers the same with display-only fields', async () => {
    const q = { ...trends, dateRange: { date_from: '2024-03-01', date_to: '2024-03-10' } };
    const plain = await query<{ results: unknown[] }>(projectId, q);
    const dressed = await query<{ results: unknown[] }>(projectId, {
      ...q,
      version: 2,
      dataColorTheme: 3,
      samplingFactor: 1,
      trendsFilter: { showLegend: true, decimalPlaces: 2, smoothingIntervals: 1, goalLines: [] },
      compareFilter: { compare: false },
    });
    expect(dressed.results).toEqual(plain.results);
  });

  it('answers the fields that were refused before: breakdowns[], exclusions, attribution, retention date_from', async () => {
    const range = { date_from: '2024-03-01', date_to: '2024-03-10' };
    for (const q of [
      {
        ...trends,
        dateRange: range,
        breakdownFilter: { breakdowns: [{ property: '$browser' }, { property: 'plan', type: 'person' }] },
      },
      {
        ...funnels,
        dateRange: range,
        breakdownFilter: { breakdowns: [{ property: '$browser' }] },
        funnelsFilter: {
          exclusions: [{ kind: 'EventsNode', event: 'purchase', funnelFromStep: 0, funnelToStep: 1 }],
          breakdownAttributionType: 'step',
          breakdownAttributionValue: 1,
        },
      },
      { ...retention, dateRange: { date_from: '2024-03-01', date_to: '2024-03-10' } },
    ]) {
      const res = await postQuery(projectId, { query: q });
      expect(res.status, await res.clone().text()).toBe(200);
    }
  });

  it('EventsQuery.events keeps the events of those names', async () => {
    const names = ['signup', 'purchase'];
    const answer = await query<{ results: [string, string][] }>(projectId, {
      ...events,
      select: ['uuid', 'event'],
      events: names,
      after: '2024-02-01',
      limit: 10_000,
    });
    const expected = world.events.filter((e) => names.includes(e.event)).map((e) => e.uuid);
    expect(expected.length).toBeGreaterThan(0);
    expect(answer.results.map((r) => r[0]).sort()).toEqual(expected.sort());
    const both = await query<{ results: [string, string][] }>(projectId, {
      ...events,
      select: ['uuid'],
      event: 'signup',
      events: names,
      after: '2024-02-01',
      limit: 10_000,
    });
    expect(both.results.length).toBe(world.events.filter((e) => e.event === 'signup').length);
  });
});
