import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery, query } from './helpers';
import {
  generateWorld,
  matches,
  personOf,
  seedWorld,
  textOf,
  wallClock,
  type ModelFilter,
  type World,
  type WorldEvent,
} from './world';

const START = Date.UTC(2024, 2, 1);
let projectId: number;
let world: World;

beforeAll(async () => {
  projectId = (await newProject('funnels')).id;
  world = generateWorld({ seed: 7, users: 90, start: START, days: 30, eventsPerUser: 10 });
  await seedWorld(projectId, world);
});

interface Step {
  event: string | null;
  filters?: ModelFilter[];
}

interface ModelFunnel {
  steps: Step[];
  order: 'ordered' | 'strict' | 'unordered';
  windowMs: number;
  from: string;
  to: string;
  filters?: ModelFilter[];
  breakdown?: { key: string; type: 'event' | 'person'; limit: number };
}

interface StepAnswer {
  name: string;
  order: number;
  count: number;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  breakdown_value?: string[];
}

const stepMatches = (w: World, e: WorldEvent, s: Step) =>
  (s.event === null || e.event === s.event) && (s.filters ?? []).every((f) => matches(w, e, f));

/**
 * The best attempt of one person: most steps; for ordered and strict funnels, of those the one that got
 * there first (then the latest start), as PostHog's funnel UDF; unordered, the earliest start.
 */
function bestAttempt(w: World, events: WorldEvent[], q: ModelFunnel): { times: number[]; start: WorldEvent } | null {
  let best: { times: number[]; start: WorldEvent } | null = null;
  const t = (e: WorldEvent) => Date.parse(e.timestamp);
  events.forEach((anchor, a) => {
    let times: number[] = [];
    if (q.order === 'unordered') {
      const done = new Set<number>();
      for (const e of events.slice(a)) {
        if (t(e) - t(anchor) > q.windowMs) break;
        const step = q.steps.findIndex((s, i) => !done.has(i) && stepMatches(w, e, s));
        if (step >= 0) {
          done.add(step);
          times.push(t(e));
        }
      }
    } else {
      if (!stepMatches(w, anchor, q.steps[0]!)) return;
      times = [t(anchor)];
      let k = a + 1;
      for (let step = 1; step < q.steps.length; step++) {
        let found = -1;
        for (; k < events.length && t(events[k]!) - t(anchor) <= q.windowMs; k++) {
          if (stepMatches(w, events[k]!, q.steps[step]!)) {
            found = k;
            break;
          }
          if (q.order === 'strict') break;
        }
        if (found < 0) break;
        times.push(t(events[found]!));
        k = found + 1;
      }
    }
    if (!times.length) return;
    const b = best as { times: number[]; start: WorldEvent } | null;
    if (!b || times.length > b.times.length) best = { times, start: anchor };
    else if (q.order !== 'unordered' && times.length === b.times.length && times.at(-1)! <= b.times.at(-1)!) {
      // PostHog's UDF keeps the chain that reached the furthest step first; at the same instant, the latest start.
      best = { times, start: anchor };
    }
  });
  return best;
}

function median(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) / 2;
  return (s[Math.floor(i)]! + s[Math.ceil(i)]!) / 2;
}

function modelFunnel(w: World, q: ModelFunnel, timezone: string): StepAnswer[][] {
  const byPerson = new Map<string, WorldEvent[]>();
  for (const e of w.events) {
    const date = wallClock(Date.parse(e.timestamp), timezone).date;
    if (date < q.from || date > q.to) continue;
    if (!(q.filters ?? []).every((f) => matches(w, e, f))) continue;
    if (q.order !== 'strict' && !q.steps.some((s) => stepMatches(w, e, s))) continue;
    const p = personOf(w, e);
    byPerson.set(p, [...(byPerson.get(p) ?? []), e]);
  }
  const attempts: { times: number[]; bv: string }[] = [];
  for (const [person, events] of byPerson) {
    events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    const best = bestAttempt(w, events, q);
    if (!best) continue;
    let bv = '[]';
    if (q.breakdown) {
      // PostHog's default attribution, first_touch: the first of the person's events with a value.
      const { key, type } = q.breakdown;
      const breakdownOf = (e: WorldEvent) =>
        textOf((type === 'person' ? (w.personProps.get(person) ?? {}) : e.properties)[key]) ?? '';
      const first = events.map(breakdownOf).find((v) => v !== '');
      bv = JSON.stringify(first === undefined ? [] : [first]);
    }
    attempts.push({ times: (best as { times: number[] }).times, bv });
  }
  const stepsOf = (group: typeof attempts, bv: string | null): StepAnswer[] =>
    q.steps.map((s, i) => {
      const reached = group.filter((a) => a.times.length > i);
      // PostHog leaves conversion times of 0 out (groupArrayIf(timings[i], timings[i] > 0)).
      const d = i === 0 ? [] : reached.map((a) => (a.times[i]! - a.times[i - 1]!) / 1000).filter((x) => x > 0);
      return {
        name: q.order === 'unordered' ? `Completed ${i + 1} step${i ? 's' : ''}` : (s.event ?? 'All events'),
        order: i,
        count: reached.length,
        average_conversion_time: d.length ? d.reduce((a, b) => a + b, 0) / d.length : null,
        median_conversion_time: d.length ? median(d) : null,
        ...(bv === null ? {} : { breakdown_value: JSON.parse(bv) as string[] }),
      };
    });
  if (!q.breakdown) return [stepsOf(attempts, null)];
  const values = [...new Set(attempts.map((a) => a.bv))]
    .map((bv) => ({ bv, group: attempts.filter((a) => a.bv === bv) }))
    .sort((a, b) => b.group.length - a.group.length || (a.bv < b.bv ? -1 : 1));
  const kept = values.slice(0, q.breakdown.limit);
  const rest = values.slice(q.breakdown.limit);
  if (rest.length) kept.push({ bv: '["$$_posthog_breakdown_other_$$"]', group: rest.flatMap((r) => r.group) });
  return kept.map((v) => stepsOf(v.group, v.bv));
}

const UNITS: [string, number][] = [
  ['second', 1_000],
  ['minute', 60_000],
  ['hour', 3_600_000],
  ['day', 86_400_000],
  ['week', 604_800_000],
];

function toQuery(q: ModelFunnel) {
  const [unit, ms] = [...UNITS].reverse().find(([, ms]) => q.windowMs % ms === 0)!;
  return {
    kind: 'FunnelsQuery',
    series: q.steps.map((s) => ({
      kind: 'EventsNode',
      event: s.event,
      ...(s.filters ? { properties: s.filters } : {}),
    })),
    dateRange: { date_from: q.from, date_to: q.to },
    funnelsFilter: { funnelOrderType: q.order, funnelWindowInterval: q.windowMs / ms, funnelWindowIntervalUnit: unit },
    ...(q.filters ? { properties: q.filters } : {}),
    ...(q.breakdown
      ? {
          breakdownFilter: {
            breakdown: q.breakdown.key,
            breakdown_type: q.breakdown.type,
            breakdown_limit: q.breakdown.limit,
          },
        }
      : {}),
  };
}

const DAY = 86_400_000;
const three: Step[] = [{ event: '$pageview' }, { event: 'signup' }, { event: 'purchase' }];
const CASES: [string, ModelFunnel][] = [
  [
    '3 ordered steps, 14 days',
    { steps: three, order: 'ordered', windowMs: 14 * DAY, from: '2024-03-01', to: '2024-03-30' },
  ],
  [
    '3 ordered steps, 50 hours',
    { steps: three, order: 'ordered', windowMs: 50 * 3_600_000, from: '2024-03-01', to: '2024-03-30' },
  ],
  [
    'ordered, a repeated event',
    {
      steps: [{ event: '$pageview' }, { event: '$pageview' }, { event: 'signup' }],
      order: 'ordered',
      windowMs: 7 * DAY,
      from: '2024-03-03',
      to: '2024-03-25',
    },
  ],
  [
    'strict',
    {
      steps: [{ event: '$pageview' }, { event: 'signup' }],
      order: 'strict',
      windowMs: 30 * DAY,
      from: '2024-03-01',
      to: '2024-03-30',
    },
  ],
  ['unordered', { steps: three, order: 'unordered', windowMs: 5 * DAY, from: '2024-03-01', to: '2024-03-30' }],
  [
    'step and global filters',
    {
      steps: [
        { event: '$pageview', filters: [{ key: '$browser', operator: 'exact', value: 'Chrome', type: 'event' }] },
        { event: 'signup' },
        { event: null, filters: [{ key: 'amount', operator: 'gt', value: 50, type: 'event' }] },
      ],
      order: 'ordered',
      windowMs: 14 * DAY,
      from: '2024-03-01',
      to: '2024-03-30',
      filters: [{ key: 'plan', operator: 'is_not', value: 'team', type: 'person' }],
    },
  ],
  [
    'breakdown by browser with other',
    {
      steps: three,
      order: 'ordered',
      windowMs: 14 * DAY,
      from: '2024-03-01',
      to: '2024-03-30',
      breakdown: { key: '$browser', type: 'event', limit: 2 },
    },
  ],
  [
    'breakdown by person plan',
    {
      steps: three,
      order: 'ordered',
      windowMs: 14 * DAY,
      from: '2024-03-01',
      to: '2024-03-30',
      breakdown: { key: 'plan', type: 'person', limit: 25 },
    },
  ],
];

describe('FunnelsQuery matches the plain model', () => {
  for (const timezone of ['UTC', 'America/New_York', 'Asia/Kolkata']) {
    for (const [name, q] of CASES) {
      it(`${name} (${timezone})`, async () => {
        const answer = await query<{ results: StepAnswer[] | StepAnswer[][] }>(projectId, toQuery(q), timezone);
        const expected = modelFunnel(world, q, timezone);
        const actual = (q.breakdown ? answer.results : [answer.results]) as StepAnswer[][];
        expect(expected[0]![0]!.count, 'people enter the funnel').toBeGreaterThan(0);
        expect(expected.some((s) => s.at(-1)!.count > 0) || q.order === 'strict', 'some convert').toBe(true);
        const pick = (s: StepAnswer) => ({
          name: s.name,
          order: s.order,
          count: s.count,
          breakdown_value: s.breakdown_value,
        });
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

  it('answers the response keys PostHog answers for each step', async () => {
    const answer = await query<{ results: Record<string, unknown>[] }>(projectId, toQuery(CASES[0]![1]));
    expect(Object.keys(answer.results[0]!).sort()).toEqual(
      [
        'action_id',
        'average_conversion_time',
        'count',
        'custom_name',
        'median_conversion_time',
        'name',
        'order',
        'people',
        'type',
      ].sort(),
    );
  });

  it('refuses fewer than 2 steps and unknown window units', async () => {
    for (const [body, attr] of [
      [{ ...toQuery(CASES[0]![1]), series: [{ kind: 'EventsNode', event: 'x' }] }, 'query.series'],
      [
        { ...toQuery(CASES[0]![1]), funnelsFilter: { funnelWindowIntervalUnit: 'year' } },
        'query.funnelsFilter.funnelWindowIntervalUnit',
      ],
      [
        { ...toQuery(CASES[0]![1]), funnelsFilter: { funnelOrderType: 'random' } },
        'query.funnelsFilter.funnelOrderType',
      ],
    ] as const) {
      const res = await postQuery(projectId, { query: body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { attr: string }).attr).toBe(attr);
    }
  });
});
