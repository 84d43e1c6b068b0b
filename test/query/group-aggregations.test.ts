/**
 * Group aggregations of the query endpoint against a plain TypeScript model of
 * the same seeded events: unique_group, active groups (aggregation_group_type_index),
 * filters and breakdowns by group properties.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { events, groups } from '../../src/db/schema';
import { groupTypeIndexes } from '../../src/groups/type-mapping';
import { dbFor, newProject } from '../support';
import { postQuery, query } from './helpers';
import { rng } from './world';

const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07'];
const EVENTS = ['$pageview', 'report_viewed', 'invoice_paid'] as const;
const INDUSTRIES = ['Retail', 'Software', 'Health'] as const;
const NULL = '$$_posthog_breakdown_null_$$';

interface ModelEvent {
  event: string;
  day: string;
  company: string | null;
  team: string | null;
  distinctId: string;
  /** Epoch ms; unique, so time order has no ties. */
  ts: number;
}

interface Model {
  events: ModelEvent[];
  /** company key → properties (some companies never sent $groupidentify: no row). */
  companies: Map<string, Record<string, unknown>>;
}

async function seed(projectId: number, seed: number): Promise<Model> {
  const r = rng(seed);
  const db = await dbFor(projectId);
  await groupTypeIndexes(db, projectId, ['company', 'team']);
  const companies = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < 8; i++) {
    if (i === 7) continue; // company-7 has events but no group row
    const props: Record<string, unknown> = { name: `Company ${i}`, seats: r.int(1, 50) };
    if (i !== 6) props.industry = r.pick(INDUSTRIES); // company-6 has no industry
    companies.set(`company-${i}`, props);
    await db.insert(groups).values({
      projectId,
      groupTypeIndex: 0,
      groupKey: `company-${i}`,
      properties: props,
      createdAt: '2026-02-01T00:00:00.000Z',
    });
  }
  const model: ModelEvent[] = [];
  const rows: (typeof events.$inferInsert)[] = [];
  for (let u = 0; u < 30; u++) {
    const distinctId = `user-${u}`;
    const company = r.chance(0.85) ? `company-${u % 8}` : null;
    const personId = crypto.randomUUID();
    for (let k = 0; k < 12; k++) {
      const day = r.pick(DAYS);
      const event = r.pick(EVENTS);
      const team = company && r.chance(0.6) ? `team-${r.int(0, 4)}` : null;
      const n = u * 12 + k;
      const timestamp = `${day}T${String(r.int(0, 23)).padStart(2, '0')}:${String(r.int(0, 59)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}.${String(n).padStart(3, '0')}Z`;
      const properties: Record<string, unknown> = {};
      if (company) {
        properties.$groups = { company, ...(team ? { team } : {}) };
        properties.$group_0 = company;
        if (team) properties.$group_1 = team;
      }
      model.push({ event, day, company, team, distinctId, ts: Date.parse(timestamp) });
      rows.push({
        projectId,
        uuid: crypto.randomUUID(),
        event,
        distinctId,
        personIdAtIngest: personId,
        properties,
        timestamp,
        group0: company ?? undefined,
        group1: team ?? undefined,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 8) await db.insert(events).values(rows.slice(i, i + 8));
  return { events: model, companies };
}

const perDay = (evs: ModelEvent[], value: (day: ModelEvent[]) => number) =>
  DAYS.map((d) => value(evs.filter((e) => e.day === d)));
const distinct = (xs: (string | null)[]) => new Set(xs.filter((x) => x !== null)).size;

interface Series {
  data: number[];
  days: string[];
  count: number;
  breakdown_value?: string;
  aggregated_value?: number;
  action: { math_group_type_index: number | null };
}

const trends = (series: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  kind: 'TrendsQuery',
  series,
  interval: 'day',
  dateRange: { date_from: DAYS[0], date_to: DAYS.at(-1) },
  ...extra,
});

describe('group aggregations in TrendsQuery, against the model', () => {
  let projectId: number;
  let model: Model;
  beforeAll(async () => {
    projectId = (await newProject()).id;
    model = await seed(projectId, 7);
  });

  const industryOf = (e: ModelEvent) =>
    e.company ? (model.companies.get(e.company)?.industry as string | undefined) : undefined;

  it('unique_group counts distinct companies per day (math_group_type_index 0) and teams (1)', async () => {
    const { results } = await query<{ results: Series[] }>(
      projectId,
      trends([
        { kind: 'EventsNode', event: 'report_viewed', math: 'unique_group', math_group_type_index: 0 },
        { kind: 'EventsNode', event: null, math: 'unique_group', math_group_type_index: 1 },
      ]),
    );
    expect(results[0]!.days).toEqual(DAYS);
    expect(results[0]!.data).toEqual(
      perDay(
        model.events.filter((e) => e.event === 'report_viewed'),
        (d) => distinct(d.map((e) => e.company)),
      ),
    );
    expect(results[0]!.action.math_group_type_index).toBe(0);
    expect(results[1]!.data).toEqual(perDay(model.events, (d) => distinct(d.map((e) => e.team))));
    expect(results[0]!.data.some((n) => n > 1)).toBe(true);
  });

  it('unique_group over the whole range (BoldNumber) counts each company once', async () => {
    const { results } = await query<{ results: Series[] }>(
      projectId,
      trends([{ event: '$pageview', math: 'unique_group', math_group_type_index: 0 }], {
        trendsFilter: { display: 'BoldNumber' },
      }),
    );
    expect(results[0]!.aggregated_value).toBe(
      distinct(model.events.filter((e) => e.event === '$pageview').map((e) => e.company)),
    );
  });

  it('aggregation_group_type_index makes dau count active teams', async () => {
    const { results } = await query<{ results: Series[] }>(
      projectId,
      trends([{ event: 'invoice_paid', math: 'dau' }], { aggregation_group_type_index: 1 }),
    );
    expect(results[0]!.data).toEqual(
      perDay(
        model.events.filter((e) => e.event === 'invoice_paid'),
        (d) => distinct(d.map((e) => e.team)),
      ),
    );
  });

  it('filters by a group property (type "group" with group_type_index), at query and series level', async () => {
    const filter = { key: 'industry', value: 'Retail', operator: 'exact', type: 'group', group_type_index: 0 };
    const both = await query<{ results: Series[] }>(projectId, trends([{ event: '$pageview', properties: [filter] }]));
    expect(both.results[0]!.data).toEqual(
      perDay(
        model.events.filter((e) => e.event === '$pageview' && industryOf(e) === 'Retail'),
        (d) => d.length,
      ),
    );
    const notRetail = await query<{ results: Series[] }>(
      projectId,
      trends([{ event: null, math: 'unique_group', math_group_type_index: 0 }], {
        properties: [{ ...filter, operator: 'is_not' }],
      }),
    );
    expect(notRetail.results[0]!.data).toEqual(
      perDay(
        model.events.filter((e) => industryOf(e) !== 'Retail'),
        (d) => distinct(d.map((e) => e.company)),
      ),
    );
    const seats = await query<{ results: Series[] }>(
      projectId,
      trends([{ event: null }], {
        properties: [{ key: 'seats', value: 25, operator: 'gt', type: 'group', group_type_index: 0 }],
      }),
    );
    expect(seats.results[0]!.data).toEqual(
      perDay(
        model.events.filter((e) => Number(e.company && model.companies.get(e.company)?.seats) > 25),
        (d) => d.length,
      ),
    );
  });

  it('breaks down by a group property; events without the group or the property fall in the null bucket', async () => {
    const { results } = await query<{ results: Series[] }>(
      projectId,
      trends([{ event: null }], {
        breakdownFilter: { breakdown: 'industry', breakdown_type: 'group', breakdown_group_type_index: 0 },
      }),
    );
    const expected = new Map<string, number[]>();
    for (const value of [...INDUSTRIES, NULL]) {
      const data = perDay(
        model.events.filter((e) => (industryOf(e) ?? NULL) === value),
        (d) => d.length,
      );
      if (data.some((n) => n > 0)) expected.set(value, data);
    }
    expect(new Map(results.map((s) => [s.breakdown_value!, s.data]))).toEqual(expected);
    expect(expected.has(NULL)).toBe(true);
  });

  it('names the missing group_type_index in a 400', async () => {
    for (const [q, attr] of [
      [trends([{ event: null, math: 'unique_group' }]), 'query.series.0.math_group_type_index'],
      [
        trends([{ event: null }], { properties: [{ key: 'industry', value: 'x', type: 'group' }] }),
        'query.properties.0.group_type_index',
      ],
      [
        trends([{ event: null }], { breakdownFilter: { breakdown: 'industry', breakdown_type: 'group' } }),
        'query.breakdownFilter.breakdown_group_type_index',
      ],
      [
        trends([{ event: null, math: 'unique_group', math_group_type_index: 5 }]),
        'query.series.0.math_group_type_index',
      ],
    ] as const) {
      const res = await postQuery(projectId, { query: q });
      expect(res.status, attr).toBe(400);
      expect(await res.json()).toMatchObject({ attr });
    }
  });
});

/** The model of an ordered funnel: per actor, the most steps of any attempt starting at a step-1 event. */
function orderedFunnel(
  evs: ModelEvent[],
  actorOf: (e: ModelEvent) => string | null,
  steps: string[],
  windowMs: number,
): Map<string, number> {
  const byActor = new Map<string, ModelEvent[]>();
  for (const e of evs) {
    const actor = actorOf(e);
    if (actor === null) continue;
    byActor.set(actor, [...(byActor.get(actor) ?? []), e]);
  }
  const reached = new Map<string, number>();
  for (const [actor, list] of byActor) {
    list.sort((a, b) => a.ts - b.ts);
    let best = 0;
    list.forEach((start, i) => {
      if (start.event !== steps[0]) return;
      let done = 1;
      for (const e of list.slice(i + 1)) {
        if (e.ts - start.ts > windowMs || done === steps.length) break;
        if (e.event === steps[done]) done++;
      }
      best = Math.max(best, done);
    });
    if (best > 0) reached.set(actor, best);
  }
  return reached;
}

describe('group aggregations in FunnelsQuery, against the model', () => {
  let projectId: number;
  let model: Model;
  beforeAll(async () => {
    projectId = (await newProject()).id;
    model = await seed(projectId, 11);
  });
  const steps = ['$pageview', 'report_viewed', 'invoice_paid'];
  const funnel = (extra: Record<string, unknown> = {}) => ({
    kind: 'FunnelsQuery',
    series: steps.map((event) => ({ kind: 'EventsNode', event })),
    dateRange: { date_from: DAYS[0], date_to: DAYS.at(-1) },
    funnelsFilter: { funnelWindowInterval: 2, funnelWindowIntervalUnit: 'day' },
    ...extra,
  });
  const counts = (reached: Map<string, number>) =>
    steps.map((_, i) => [...reached.values()].filter((n) => n > i).length);

  it('aggregation_group_type_index 0 counts companies through the steps (their members together)', async () => {
    const { results } = await query<{ results: { count: number }[] }>(
      projectId,
      funnel({ aggregation_group_type_index: 0 }),
    );
    const expected = counts(orderedFunnel(model.events, (e) => e.company, steps, 2 * 86_400_000));
    expect(results.map((s) => s.count)).toEqual(expected);
    // Companies, not persons: the same funnel over persons answers differently.
    const persons = await query<{ results: { count: number }[] }>(projectId, funnel());
    expect(persons.results.map((s) => s.count)).toEqual(
      counts(orderedFunnel(model.events, (e) => e.distinctId, steps, 2 * 86_400_000)),
    );
    expect(persons.results[0]!.count).toBeGreaterThan(results[0]!.count);
  });

  it('teams (index 1), filtered by a company property', async () => {
    const filter = [{ key: 'industry', value: 'Software', operator: 'exact', type: 'group', group_type_index: 0 }];
    const { results } = await query<{ results: { count: number }[] }>(
      projectId,
      funnel({ aggregation_group_type_index: 1, properties: filter }),
    );
    const industryOf = (e: ModelEvent) => (e.company ? model.companies.get(e.company)?.industry : undefined);
    const software = model.events.filter((e) => industryOf(e) === 'Software');
    expect(results.map((s) => s.count)).toEqual(counts(orderedFunnel(software, (e) => e.team, steps, 2 * 86_400_000)));
  });

  it('breaks companies down by their industry', async () => {
    const { results } = await query<{ results: { count: number; breakdown_value: string[] }[][] }>(
      projectId,
      funnel({
        aggregation_group_type_index: 0,
        breakdownFilter: { breakdown: 'industry', breakdown_type: 'group', breakdown_group_type_index: 0 },
      }),
    );
    const industryOf = (e: ModelEvent) => String((e.company && model.companies.get(e.company)?.industry) ?? '');
    const expected = new Map<string, number[]>();
    for (const value of new Set(model.events.filter((e) => e.company).map(industryOf))) {
      const c = counts(
        orderedFunnel(
          model.events.filter((e) => industryOf(e) === value),
          (e) => e.company,
          steps,
          2 * 86_400_000,
        ),
      );
      if (c[0]! > 0) expected.set(value, c);
    }
    // PostHog's first-touch attribution: a company none of whose events has an industry gets the value [].
    const keyOf = (value: string[]) => (value.length ? value[0]! : '');
    expect(new Map(results.map((series) => [keyOf(series[0]!.breakdown_value), series.map((s) => s.count)]))).toEqual(
      expected,
    );
    expect(results.some((series) => series[0]!.breakdown_value.length === 0)).toBe(true);
  });
});

/** The model of retention by day: cohort i = actors whose target day (each, or the first) is day i; value j = of those, who returned on day i + j. */
function retentionModel(
  evs: ModelEvent[],
  actorOf: (e: ModelEvent) => string | null,
  target: string,
  returning: string,
  firstTime: boolean,
): number[][] {
  const targetDays = new Map<string, Set<number>>();
  const returnDays = new Map<string, Set<number>>();
  const firstTarget = new Map<string, ModelEvent>();
  for (const e of evs) {
    const actor = actorOf(e);
    if (actor === null) continue;
    const day = DAYS.indexOf(e.day);
    if (e.event === target) {
      targetDays.set(actor, (targetDays.get(actor) ?? new Set()).add(day));
      if (!firstTarget.has(actor) || e.ts < firstTarget.get(actor)!.ts) firstTarget.set(actor, e);
    }
    if (e.event === returning) returnDays.set(actor, (returnDays.get(actor) ?? new Set()).add(day));
  }
  return DAYS.map((_, i) => {
    const cohort = [...targetDays.keys()].filter((a) =>
      firstTime ? DAYS.indexOf(firstTarget.get(a)!.day) === i : targetDays.get(a)!.has(i),
    );
    return DAYS.slice(i).map((__, j) =>
      j === 0 ? cohort.length : cohort.filter((a) => returnDays.get(a)?.has(i + j)).length,
    );
  });
}

describe('group aggregations in RetentionQuery, against the model', () => {
  let projectId: number;
  let model: Model;
  beforeAll(async () => {
    projectId = (await newProject()).id;
    model = await seed(projectId, 23);
  });
  const retention = (extra: Record<string, unknown>) => ({
    kind: 'RetentionQuery',
    dateRange: { date_to: DAYS.at(-1) },
    retentionFilter: {
      period: 'Day',
      totalIntervals: DAYS.length,
      targetEntity: { id: '$pageview', type: 'events' },
      returningEntity: { id: 'report_viewed', type: 'events' },
      ...extra,
    },
  });
  type Cohort = { date: string; values: { count: number }[] };

  it('companies filtered by a group property (type "group")', async () => {
    const industryOf = (e: ModelEvent) => (e.company ? model.companies.get(e.company)?.industry : undefined);
    const { results } = await query<{ results: Cohort[] }>(projectId, {
      ...retention({ retentionType: 'retention_recurring' }),
      aggregation_group_type_index: 0,
      properties: [{ key: 'industry', value: 'Health', operator: 'is_not', type: 'group', group_type_index: 0 }],
    });
    const expected = retentionModel(
      model.events.filter((e) => industryOf(e) !== 'Health'),
      (e) => e.company,
      '$pageview',
      'report_viewed',
      false,
    );
    expect(results.map((c) => c.values.map((v) => v.count))).toEqual(expected);
    expect(expected).not.toEqual(retentionModel(model.events, (e) => e.company, '$pageview', 'report_viewed', false));
  });

  for (const retentionType of ['retention_recurring', 'retention_first_time'] as const) {
    it(`${retentionType}: cohorts of companies (aggregation_group_type_index 0) and of teams (1)`, async () => {
      for (const [index, actorOf] of [
        [0, (e: ModelEvent) => e.company],
        [1, (e: ModelEvent) => e.team],
      ] as const) {
        const { results } = await query<{ results: Cohort[] }>(projectId, {
          ...retention({ retentionType }),
          aggregation_group_type_index: index,
        });
        expect(results.map((c) => c.date.slice(0, 10))).toEqual(DAYS);
        expect(results.map((c) => c.values.map((v) => v.count))).toEqual(
          retentionModel(model.events, actorOf, '$pageview', 'report_viewed', retentionType === 'retention_first_time'),
        );
      }
      const persons = await query<{ results: Cohort[] }>(projectId, retention({ retentionType }));
      expect(persons.results.map((c) => c.values.map((v) => v.count))).toEqual(
        retentionModel(
          model.events,
          (e) => e.distinctId,
          '$pageview',
          'report_viewed',
          retentionType === 'retention_first_time',
        ),
      );
    });
  }
});
