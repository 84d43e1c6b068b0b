/**
 * Trends formulas, compare_to and the cumulative display, against the plain model: each series from
 * modelTrends, combined here the way PostHog's TrendsQueryRunner combines them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { addDaysTo, postQuery, query } from './helpers';
import { modelTrends, type ModelSeries, type ModelTrendsQuery } from './trends-model';
import { generateWorld, seedWorld, type World } from './world';

const NULL = '$$_posthog_breakdown_null_$$';
const OTHER = '$$_posthog_breakdown_other_$$';
let projectId: number;
let world: World;

beforeAll(async () => {
  projectId = (await newProject('trends formulas')).id;
  world = generateWorld({ seed: 101, users: 60, start: Date.UTC(2024, 2, 1), days: 45, eventsPerUser: 8 });
  await seedWorld(projectId, world);
});

type Answer = { results: Record<string, unknown>[]; hasMore: boolean };

const base = (over: Partial<ModelTrendsQuery>): ModelTrendsQuery => ({
  event: '$pageview',
  math: 'total',
  filters: [],
  interval: 'day',
  from: '2024-03-05',
  to: '2024-03-25',
  ...over,
});

function toQuery(series: ModelTrendsQuery[], extra: Record<string, unknown>) {
  const q = series[0]!;
  return {
    kind: 'TrendsQuery',
    series: series.map((s) => ({ kind: 'EventsNode', event: s.event, math: s.math })),
    interval: q.interval,
    dateRange: { date_from: q.from, date_to: q.to },
    ...(q.breakdown
      ? {
          breakdownFilter: {
            breakdown: q.breakdown.key,
            breakdown_type: q.breakdown.type,
            breakdown_limit: q.breakdown.limit,
          },
        }
      : {}),
    ...extra,
  };
}

/** PostHog's formula over the series' results of one period, grouped by breakdown value. */
function modelFormula(perSeries: ModelSeries[][], fn: (v: number[]) => number, label: string, aggregate = false) {
  const values = [...new Set(perSeries.flat().map((s) => (s.breakdown_value as string | undefined) ?? ''))];
  const rows = values.map((bv) => {
    const group = perSeries.map((results) => results.find((s) => (s.breakdown_value ?? '') === bv));
    const length = group.find((g) => g)!.data.length;
    const value = (i: number) => fn(group.map((g) => (aggregate ? (g?.aggregated_value ?? 0) : (g?.data[i] ?? 0))));
    const data = aggregate ? [] : Array.from({ length }, (_, i) => value(i));
    const total = data.reduce((a, b) => a + b, 0);
    return {
      label,
      breakdown_value: bv,
      data,
      count: aggregate ? 0 : total,
      aggregated_value: aggregate ? value(0) : undefined,
      // PostHog sorts a formula whose first series lacks the value as 0 (its stand-in has aggregated_value 0).
      sortTotal: aggregate ? value(0) : group[0] ? total : 0,
    };
  });
  const rank = (bv: string) => (bv === OTHER ? -2 : bv === NULL ? -1 : 0);
  return rows.sort(
    (a, b) =>
      rank(b.breakdown_value) - rank(a.breakdown_value) ||
      b.sortTotal - a.sortTotal ||
      b.count - a.count ||
      (a.data.join() === b.data.join() ? 0 : compareLists(b.data, a.data)) ||
      (a.breakdown_value < b.breakdown_value ? 1 : a.breakdown_value > b.breakdown_value ? -1 : 0),
  );
}

function compareLists(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const timezones = ['UTC', 'America/New_York'];

describe('trends formulas match the model', () => {
  for (const timezone of timezones) {
    it(`A / B and A * 2 - B per day (${timezone})`, async () => {
      const series = [base({}), base({ event: null, math: 'dau' })];
      const answer = await query<Answer>(
        projectId,
        toQuery(series, { trendsFilter: { formulas: ['A / B', 'a*2 -b'] } }),
        timezone,
      );
      const models = series.map((s) => modelTrends(world, s, timezone));
      const expected = [
        ...modelFormula(models, ([a, b]) => (b === 0 ? 0 : a! / b!), 'Formula (A / B)'),
        ...modelFormula(models, ([a, b]) => a! * 2 - b!, 'Formula (a*2 -b)'),
      ];
      expect(answer.results.map((r) => r.label)).toEqual(expected.map((e) => e.label));
      for (const [i, e] of expected.entries()) {
        const got = answer.results[i]!;
        expect((got.data as number[]).length).toBe(e.data.length);
        for (const [j, v] of e.data.entries()) expect((got.data as number[])[j]).toBeCloseTo(v, 9);
        expect(got.count as number).toBeCloseTo(e.count, 9);
        expect(got.action).toBeNull();
      }
      expect(models[0]![0]!.count).toBeGreaterThan(0);
    });

    it(`formulaNodes with a breakdown and custom names (${timezone})`, async () => {
      const breakdown = { key: '$browser', type: 'event' as const, limit: 3 };
      const series = [base({ event: 'signup', breakdown }), base({ event: 'purchase', math: 'dau', breakdown })];
      const answer = await query<Answer>(
        projectId,
        toQuery(series, { trendsFilter: { formulaNodes: [{ formula: 'B - A', custom_name: 'gap' }] } }),
        timezone,
      );
      const models = series.map((s) => modelTrends(world, s, timezone));
      const expected = modelFormula(models, ([a, b]) => b! - a!, 'gap');
      expect(answer.results.map((r) => [r.label, r.breakdown_value, r.data])).toEqual(
        expected.map((e) => [e.label, e.breakdown_value, e.data]),
      );
      expect(answer.hasMore).toBe(expected.some((e) => e.breakdown_value === OTHER));
    });

    it(`a formula on a bold number (${timezone})`, async () => {
      const series = [base({ aggregate: true }), base({ event: null, math: 'dau', aggregate: true })];
      const answer = await query<Answer>(
        projectId,
        toQuery(series, { trendsFilter: { display: 'BoldNumber', formula: '(A + 1) % B' } }),
        timezone,
      );
      const models = series.map((s) => modelTrends(world, s, timezone));
      const [e] = modelFormula(models, ([a, b]) => (a! + 1) % b!, 'Formula ((A + 1) % B)', true);
      expect(answer.results).toHaveLength(1);
      expect(answer.results[0]!.aggregated_value).toBe(e!.aggregated_value);
      expect(answer.results[0]!.data).toBeNull();
    });

    it(`compare with a formula: the current, then the previous period (${timezone})`, async () => {
      const series = [base({}), base({ event: 'signup' })];
      const answer = await query<Answer>(
        projectId,
        toQuery(series, { trendsFilter: { formula: 'A + B' }, compareFilter: { compare: true, compare_to: '-1w' } }),
        timezone,
      );
      const shifted = series.map((s) => ({ ...s, from: addDaysTo(s.from, -7), to: addDaysTo(s.to, -7) }));
      const current = modelFormula(
        series.map((s) => modelTrends(world, s, timezone)),
        ([a, b]) => a! + b!,
        'Formula (A + B)',
      );
      const previous = modelFormula(
        shifted.map((s) => modelTrends(world, s, timezone)),
        ([a, b]) => a! + b!,
        'Formula (A + B)',
      );
      expect(answer.results.map((r) => [r.compare_label, r.data])).toEqual([
        ['current', current[0]!.data],
        ['previous', previous[0]!.data],
      ]);
    });
  }
});

describe('compare_to and the cumulative display match the model', () => {
  for (const timezone of ['UTC', 'Europe/London', 'Asia/Kolkata']) {
    it.each([
      ['-1w', 7],
      ['-14d', 14],
    ])(`compare_to %s shifts the previous period by whole days (${timezone})`, async (compareTo, days) => {
      const q = base({ event: null, math: 'dau', from: '2024-03-24', to: '2024-04-12' });
      const answer = await query<Answer>(
        projectId,
        toQuery([q], { compareFilter: { compare: true, compare_to: compareTo } }),
        timezone,
      );
      const previous = modelTrends(
        world,
        { ...q, from: addDaysTo(q.from, -days), to: addDaysTo(q.to, -days) },
        timezone,
      );
      expect(answer.results[1]!.compare_label).toBe('previous');
      expect(answer.results[1]!.days).toEqual(previous[0]!.days);
      expect(answer.results[1]!.data).toEqual(previous[0]!.data);
      expect(answer.results[0]!.data).toEqual(modelTrends(world, q, timezone)[0]!.data);
    });

    it(`compare_to -1m keeps the day of the month, clamped (${timezone})`, async () => {
      const q = base({ from: '2024-03-31', to: '2024-04-13' });
      const answer = await query<Answer>(
        projectId,
        toQuery([q], { compareFilter: { compare: true, compare_to: '-1m' } }),
        timezone,
      );
      const previous = modelTrends(world, { ...q, from: '2024-02-29', to: addDaysTo('2024-02-29', 13) }, timezone);
      expect(answer.results[1]!.days).toEqual(previous[0]!.days);
      expect(answer.results[1]!.data).toEqual(previous[0]!.data);
    });

    it(`the cumulative display sums each series' buckets (${timezone})`, async () => {
      const q = base({ math: 'weekly_active', event: null });
      const answer = await query<Answer>(
        projectId,
        toQuery([q], { trendsFilter: { display: 'ActionsLineGraphCumulative' } }),
        timezone,
      );
      const model = modelTrends(world, q, timezone)[0]!;
      let running = 0;
      const sums = model.data.map((v) => (running += v));
      expect(answer.results[0]!.data).toEqual(sums);
      expect(answer.results[0]!.count).toBe(sums.at(-1));
    });
  }

  it('refuses what it cannot compute, naming the field', async () => {
    for (const [extra, attr] of [
      [{ trendsFilter: { formula: 'A + C' } }, 'query.trendsFilter.formula'],
      [{ trendsFilter: { formulaNodes: [{ formula: 'max(A)' }] } }, 'query.trendsFilter.formulaNodes.0.formula'],
      [
        { trendsFilter: { display: 'ActionsLineGraphCumulative' }, series: [{ event: 'x', math: 'dau' }] },
        'query.series.0.math',
      ],
      [{ compareFilter: { compare: true, compare_to: 'last week' } }, 'query.compareFilter.compare_to'],
    ] as const) {
      const body = { ...toQuery([base({}), base({ event: 'signup' })], {}), ...extra };
      const res = await postQuery(projectId, { query: body });
      expect(res.status, JSON.stringify(extra)).toBe(400);
      expect(((await res.json()) as { attr: string }).attr).toBe(attr);
    }
  });
});
