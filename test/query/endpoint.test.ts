import { beforeAll, describe, expect, it } from 'vitest';
import { api, newProject, seedEvents, seedPerson } from '../support';
import { postQuery, query } from './helpers';

let projectId: number;

beforeAll(async () => {
  projectId = (await newProject('query endpoint')).id;
  const person = await seedPerson(projectId, { distinctIds: ['anon-1', 'user-1'], properties: { plan: 'pro' } });
  await seedEvents(projectId, [
    // Sent anonymously before the identify, stored with the anonymous person's id.
    { distinctId: 'anon-1', timestamp: '2024-05-06T10:00:00.000Z', personIdAtIngest: crypto.randomUUID() },
    { distinctId: 'user-1', timestamp: '2024-05-07T10:00:00.000Z', personIdAtIngest: person },
    { distinctId: 'loner', timestamp: '2024-05-07T11:00:00.000Z', event: 'signup' },
    { distinctId: 'loner', timestamp: '2024-05-02T11:00:00.000Z', event: 'signup' },
  ]);
});

const trends = (extra: Record<string, unknown> = {}) => ({
  kind: 'TrendsQuery',
  series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }],
  dateRange: { date_from: '2024-05-05', date_to: '2024-05-08' },
  ...extra,
});

async function errorOf(body: unknown) {
  const res = await postQuery(projectId, body);
  return {
    status: res.status,
    body: (await res.json()) as { type: string; code: string; detail: string; attr?: string },
  };
}

describe('the query endpoint', () => {
  it('answers under /api/projects and /api/environments, with the personal API key only', async () => {
    for (const prefix of ['projects', 'environments'] as const) {
      const res = await postQuery(projectId, { query: trends() }, prefix);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { data: number[]; days: string[] }[]; is_cached: boolean };
      expect(body.results[0]!.days).toEqual(['2024-05-05', '2024-05-06', '2024-05-07', '2024-05-08']);
      // One person across the anonymous and the identified id: 1 on each day they were active.
      expect(body.results[0]!.data).toEqual([0, 1, 1, 0]);
    }
    const anonymous = await api(`/api/projects/${projectId}/query/`, {
      method: 'POST',
      json: { query: trends() },
      headers: { Authorization: '' },
    });
    expect(anonymous.status).toBe(401);
    const missing = await postQuery(999_999, { query: trends() });
    expect(missing.status).toBe(404);
  });

  it('counts an identified visitor once over the range, including their anonymous events', async () => {
    const answer = await query<{ results: { aggregated_value: number }[] }>(
      projectId,
      trends({ trendsFilter: { display: 'BoldNumber' } }),
    );
    expect(answer.results[0]!.aggregated_value).toBe(1);
  });

  it('labels several series, custom names and the previous period', async () => {
    const answer = await query<{ results: Record<string, unknown>[] }>(
      projectId,
      trends({
        series: [
          { kind: 'EventsNode', event: '$pageview', math: 'total', custom_name: 'Views' },
          { kind: 'EventsNode', event: 'signup' },
        ],
        compareFilter: { compare: true },
      }),
    );
    expect(answer.results.map((r) => [r.label, r.compare_label, r.count])).toEqual([
      ['$pageview', 'current', 2],
      ['signup', 'current', 1],
      ['$pageview', 'previous', 0],
      ['signup', 'previous', 1],
    ]);
    expect(answer.results[3]!.days).toEqual(['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04']);
    expect(answer.results[3]!.data).toEqual([0, 1, 0, 0]);
    expect(answer.results[1]!.data).toEqual([0, 0, 1, 0]);
    expect((answer.results[0]!.action as { custom_name: string }).custom_name).toBe('Views');
  });

  it('refuses an unknown kind, naming it and the supported kinds', async () => {
    const { status, body } = await errorOf({ query: { kind: 'WebOverviewQuery', properties: [] } });
    expect(status).toBe(400);
    expect(body.attr).toBe('query.kind');
    expect(body.detail).toContain('WebOverviewQuery');
    for (const kind of ['TrendsQuery', 'FunnelsQuery', 'RetentionQuery', 'EventsQuery'])
      expect(body.detail).toContain(kind);
  });

  it.each([
    [{ query: trends({ interval: 'fortnight' }) }, 'query.interval'],
    [{ query: trends({ series: [{ kind: 'EventsNode', event: 'x', math: 'sum' }] }) }, 'query.series.0.math_property'],
    [{ query: trends({ series: [{ kind: 'EventsNode', math: 'bogus' }] }) }, 'query.series.0.math'],
    [{ query: trends({ properties: [{ key: 'a', operator: 'gt', value: 'abc' }] }) }, 'query.properties.0.value'],
    [{ query: trends({ properties: [{ key: 'a', operator: 'like', value: 'abc' }] }) }, 'query.properties.0.operator'],
    [{ query: trends({ properties: [{ key: 'a', type: 'cohort', value: 1 }] }) }, 'query.properties.0.type'],
    [{ query: trends({ properties: [{ key: 'a', operator: 'regex', value: '(' }] }) }, 'query.properties.0.value'],
    [{ query: trends({ dateRange: { date_from: 'yesterday-ish' } }) }, 'query.dateRange.date_from'],
    [{ query: trends({ dateRange: { date_from: '2024-02-30' } }) }, 'query.dateRange.date_from'],
    [
      { query: trends({ breakdownFilter: { breakdown: 'x', breakdown_type: 'cohort' } }) },
      'query.breakdownFilter.breakdown_type',
    ],
    [{ query: trends({ series: [] }) }, 'query.series'],
    [
      { query: trends({ breakdownFilter: { breakdown: 'x', breakdown_type: '__proto__' } }) },
      'query.breakdownFilter.breakdown_type',
    ],
    [{ query: trends({ properties: [{ key: 'a', type: 'constructor', value: 1 }] }) }, 'query.properties.0.type'],
    [
      { query: { kind: 'RetentionQuery', retentionFilter: { totalIntervals: 0 } } },
      'query.retentionFilter.totalIntervals',
    ],
    [{ query: { kind: 'EventsQuery', select: ['event'], orderBy: ['count() DESC'] } }, 'query.orderBy.0'],
  ])('refuses a bad field with its path in attr (%#)', async (body, attr) => {
    const answer = await errorOf(body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.attr).toBe(attr);
  });

  it('refuses a range too fine for its interval', async () => {
    const { status, body } = await errorOf({
      query: trends({ interval: 'hour', dateRange: { date_from: '2020-01-01', date_to: '2024-01-01' } }),
    });
    expect(status).toBe(400);
    expect(body.attr).toBe('query.dateRange');
    expect(body.detail).toMatch(/hour intervals/);
  });

  it('refuses bodies that are not a query', async () => {
    for (const raw of [
      '',
      'null',
      '[]',
      '{"query": 1}',
      '{',
      '"x"',
      '{"query": {"kind": {"$ne": 1}}}',
      '['.repeat(5000) + ']'.repeat(5000),
    ]) {
      const res = await api(`/api/projects/${projectId}/query/`, {
        method: 'POST',
        body: raw,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(res.status, raw.slice(0, 40)).toBe(400);
    }
  });

  it('resolves relative date ranges against now', async () => {
    const answer = await query<{ results: { days: string[] }[] }>(
      projectId,
      trends({ dateRange: { date_from: '-7d' } }),
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(answer.results[0]!.days).toHaveLength(8);
    expect(answer.results[0]!.days.at(-1)).toBe(today);
    const months = await query<{ results: { days: string[] }[] }>(
      projectId,
      trends({ interval: 'month', dateRange: { date_from: 'yStart' } }),
    );
    expect(months.results[0]!.days[0]).toBe(`${today.slice(0, 4)}-01-01`);
  });
});

describe('the limits of one query', () => {
  it('refuses a query with more values than one D1 statement binds, with a 400 that says so', async () => {
    const properties = Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, operator: 'icontains', value: `v${i}` }));
    const res = await postQuery(projectId, {
      query: trends({ properties, series: [{ kind: 'EventsNode', event: '$pageview', properties }] }),
    });
    const body = (await res.json()) as { code: string; detail: string };
    expect(res.status).toBe(400);
    expect(body.code).toBe('query_too_complex');
  });
});

describe('property groups', () => {
  it('takes PostHog AND/OR groups, nested', async () => {
    const group = (type: 'AND' | 'OR', values: unknown[]) => ({ type, values });
    const answer = await query<{ results: { data: number[] }[] }>(
      projectId,
      trends({
        series: [{ kind: 'EventsNode', event: null, math: 'total' }],
        properties: group('OR', [
          group('AND', [
            { key: 'plan', value: 'pro', type: 'person' },
            { key: 'nope', operator: 'is_not_set' },
          ]),
          { key: '$browser', value: 'x' },
        ]),
      }),
    );
    // The identified person's two events (plan pro); the loner has no person.
    expect(answer.results[0]!.data).toEqual([0, 1, 1, 0]);
  });
});
