/**
 * Funnel exclusions, breakdown attribution and multiple breakdowns against the
 * plain model (funnel-model.ts), in several time zones.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery, query } from './helpers';
import { type ModelFunnelX, type ModelStep, modelFunnelX } from './funnel-model';
import { generateWorld, seedWorld, type World } from './world';

let projectId: number;
let world: World;

beforeAll(async () => {
  projectId = (await newProject('funnel breakdowns')).id;
  world = generateWorld({ seed: 19, users: 90, start: Date.UTC(2024, 2, 1), days: 30, eventsPerUser: 12 });
  await seedWorld(projectId, world);
});

const DAY = 86_400_000;

function toQuery(q: ModelFunnelX) {
  const a = q.attribution;
  return {
    kind: 'FunnelsQuery',
    series: q.steps.map((event) => ({ kind: 'EventsNode', event })),
    dateRange: { date_from: q.from, date_to: q.to },
    funnelsFilter: {
      funnelOrderType: q.order,
      funnelWindowInterval: q.windowMs / 3_600_000,
      funnelWindowIntervalUnit: 'hour',
      ...(q.exclusions
        ? {
            exclusions: q.exclusions.map((x) => ({
              kind: 'EventsNode',
              event: x.event,
              funnelFromStep: x.from,
              funnelToStep: x.to,
            })),
          }
        : {}),
      ...(a === undefined
        ? {}
        : typeof a === 'object'
          ? { breakdownAttributionType: 'step', breakdownAttributionValue: a.step }
          : { breakdownAttributionType: a }),
    },
    ...(q.breakdowns
      ? {
          breakdownFilter: {
            breakdowns: q.breakdowns.map((b) => ({ property: b.key, type: b.type })),
            breakdown_limit: q.limit ?? 25,
          },
        }
      : {}),
  };
}

const three = ['$pageview', 'signup', 'purchase'];
const base = { steps: three, order: 'ordered' as const, windowMs: 3 * DAY, from: '2024-03-01', to: '2024-03-30' };
const browser = { key: '$browser', type: 'event' as const };
const plan = { key: 'plan', type: 'person' as const };

const CASES: [string, ModelFunnelX][] = [
  ['exclusion between the first two steps', { ...base, exclusions: [{ event: '$autocapture', from: 0, to: 1 }] }],
  ['exclusion over the whole funnel', { ...base, exclusions: [{ event: '$autocapture', from: 0, to: 2 }] }],
  [
    'strict with an exclusion of the last steps',
    {
      ...base,
      steps: [null, 'signup', 'purchase'],
      order: 'strict',
      exclusions: [{ event: '$pageview', from: 1, to: 2 }],
    },
  ],
  ['first touch (the default), multiple breakdowns', { ...base, breakdowns: [browser, plan], limit: 4 }],
  ['last touch', { ...base, breakdowns: [browser], attribution: 'last_touch' }],
  ['all events', { ...base, breakdowns: [browser], attribution: 'all_events' }],
  ['step 1 attribution', { ...base, breakdowns: [browser], attribution: { step: 1 } }],
  [
    'step 2 attribution, two breakdowns, exclusion',
    {
      ...base,
      breakdowns: [browser, { key: 'x"y', type: 'event' }],
      attribution: { step: 2 },
      exclusions: [{ event: '$autocapture', from: 1, to: 2 }],
    },
  ],
];

describe('funnel exclusions, attribution and multiple breakdowns match the plain model', () => {
  for (const timezone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
    for (const [name, q] of CASES) {
      it(`${name} (${timezone})`, async () => {
        const answer = await query<{ results: ModelStep[] | ModelStep[][] }>(projectId, toQuery(q), timezone);
        const expected = modelFunnelX(world, q, timezone);
        const actual = (q.breakdowns ? answer.results : [answer.results]) as ModelStep[][];
        expect(expected[0]![0]!.count, 'people enter the funnel').toBeGreaterThan(0);
        const pick = (s: ModelStep) => ({ count: s.count, breakdown_value: s.breakdown_value });
        expect(actual.map((g) => g.map(pick))).toEqual(expected.map((g) => g.map(pick)));
        for (const [i, g] of actual.entries()) {
          for (const [j, s] of g.entries()) {
            const e = expected[i]![j]!;
            for (const key of ['average_conversion_time', 'median_conversion_time'] as const) {
              if (e[key] === null) expect(s[key]).toBeNull();
              else expect(s[key]).toBeCloseTo(e[key], 6);
            }
          }
        }
      });
    }
  }

  it('an exclusion changes the answer (the world has excluded attempts)', () => {
    const plain = modelFunnelX(world, base, 'UTC');
    const excluded = modelFunnelX(world, CASES[0]![1], 'UTC');
    expect(excluded[0]![0]!.count).toBeLessThan(plain[0]![0]!.count);
  });

  it('refuses bad exclusions and attribution, naming the field', async () => {
    const q = toQuery(base);
    for (const [funnelsFilter, attr] of [
      [
        { exclusions: [{ event: 'x', funnelFromStep: 0, funnelToStep: 3 }] },
        'query.funnelsFilter.exclusions.0.funnelToStep',
      ],
      [
        { exclusions: [{ event: 'x', funnelFromStep: 1, funnelToStep: 1 }] },
        'query.funnelsFilter.exclusions.0.funnelFromStep',
      ],
      [{ exclusions: [{ event: 'signup', funnelFromStep: 0, funnelToStep: 1 }] }, 'query.funnelsFilter.exclusions.0'],
      [
        { funnelOrderType: 'unordered', exclusions: [{ event: 'x', funnelFromStep: 0, funnelToStep: 2 }] },
        'query.funnelsFilter.exclusions',
      ],
      [{ breakdownAttributionType: 'step' }, 'query.funnelsFilter.breakdownAttributionValue'],
      [
        { breakdownAttributionType: 'first_touch', breakdownAttributionValue: 1 },
        'query.funnelsFilter.breakdownAttributionValue',
      ],
      [{ breakdownAttributionType: 'any' }, 'query.funnelsFilter.breakdownAttributionType'],
    ] as const) {
      const res = await postQuery(projectId, {
        query: { ...q, funnelsFilter: funnelsFilter, breakdownFilter: { breakdown: '$browser' } },
      });
      const body = (await res.json()) as { attr: string };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.attr).toBe(attr);
    }
  });
});
