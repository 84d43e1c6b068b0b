import { describe, expect, it } from 'vitest';
import { insightFormOf, queryOf } from '../../src/web/insight-query';
import { api, fetchWorker, newProject, seedEvents, seedPerson, signIn } from '../support';

const formOf = (qs: string) => {
  const p = new URLSearchParams(qs);
  return insightFormOf(
    (n) => p.get(n) ?? undefined,
    (n) => p.getAll(n),
  );
};

describe('insight URL → PostHog query', () => {
  it('trends: series with maths, interval, range, breakdown, display', () => {
    expect(
      queryOf(
        formOf(
          'kind=trends&event=%24pageview&math=dau&event=&math=total&event=buy&math=total&interval=week&date_from=-30d&breakdown=%24browser&display=bar',
        ),
      ),
    ).toEqual({
      query: {
        kind: 'TrendsQuery',
        series: [
          { kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'dau' },
          { kind: 'EventsNode', event: 'buy', name: 'buy', math: 'total' },
        ],
        interval: 'week',
        dateRange: { date_from: '-30d', date_to: null },
        breakdownFilter: { breakdown: '$browser', breakdown_type: 'event' },
        trendsFilter: { display: 'ActionsBar' },
      },
    });
  });

  it('unknown values fall back to defaults; a funnel needs two steps', () => {
    const form = formOf('kind=nope&math=evil&interval=decade&date_from=%27%3Bdrop');
    expect(form).toMatchObject({ kind: 'trends', events: ['$pageview'], maths: [], interval: 'day', dateFrom: '-7d' });
    expect(queryOf(formOf('kind=funnels&event=a'))).toEqual({ missing: expect.stringContaining('two steps') });
    expect(queryOf(formOf('kind=funnels&event=a&event=b&window=3&window_unit=hour'))).toMatchObject({
      query: {
        kind: 'FunnelsQuery',
        series: [{ event: 'a' }, { event: 'b' }],
        funnelsFilter: { funnelWindowInterval: 3, funnelWindowIntervalUnit: 'hour' },
      },
    });
    expect(
      queryOf(formOf('kind=retention&target=signed_up&returning=%24pageview&period=Week&intervals=5')),
    ).toMatchObject({
      query: {
        kind: 'RetentionQuery',
        retentionFilter: {
          targetEntity: { id: 'signed_up' },
          returningEntity: { id: '$pageview' },
          period: 'Week',
          totalIntervals: 5,
          retentionType: 'retention_first_time',
        },
      },
    });
  });
});

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe('insights page', () => {
  it('trends: the table and the chart data are the query endpoint’s numbers', async () => {
    const cookie = await signIn();
    const { id: projectId } = await newProject();
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const person = await seedPerson(projectId, { distinctIds: ['u1'] });
    await seedEvents(projectId, [
      {
        event: 'buy',
        distinctId: 'u1',
        personIdAtIngest: person,
        timestamp: day(1),
        properties: { plan: '<b>pro</b>' },
      },
      { event: 'buy', distinctId: 'u1', personIdAtIngest: person, timestamp: day(1), properties: { plan: 'free' } },
      { event: 'buy', distinctId: 'u2', timestamp: day(3), properties: { plan: 'free' } },
    ]);
    const res = await fetchWorker(
      `/app/projects/${projectId}/insights?kind=trends&event=buy&math=total&interval=day&date_from=-7d&breakdown=plan`,
      { headers: { Cookie: cookie } },
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    const query = JSON.parse(decode(/<pre class="json"[^>]*>([\s\S]*?)<\/pre>/.exec(html)![1]!)).query;
    const answer = (await (
      await api(`/api/projects/${projectId}/query/`, { method: 'POST', json: { query } })
    ).json()) as { results: { data: number[]; breakdown_value: string }[] };
    const chart = JSON.parse(decode(/data-chart="([^"]*)"/.exec(html)![1]!)) as {
      series: { name: string; data: number[] }[];
    };
    expect(chart.series.map((s) => s.data)).toEqual(answer.results.map((r) => r.data));
    expect(chart.series.map((s) => s.name).sort()).toEqual(['buy · <b>pro</b>', 'buy · free']);
    expect(answer.results.flatMap((r) => r.data).reduce((a, b) => a + b, 0)).toBe(3);
    expect(html).not.toContain('<b>pro</b>');
    expect(html).toContain('buy · &lt;b&gt;pro&lt;/b&gt;');
  });

  it('a query the engine refuses shows its message, not an error page', async () => {
    const cookie = await signIn();
    const { id: projectId } = await newProject();
    const res = await fetchWorker(
      `/app/projects/${projectId}/insights?kind=trends&event=x&interval=hour&date_from=all`,
      { headers: { Cookie: cookie } },
    );
    expect(res.status).toBe(200);
    const funnel = await fetchWorker(`/app/projects/${projectId}/insights?kind=funnels&event=a`, {
      headers: { Cookie: cookie },
    });
    expect(await funnel.text()).toContain('A funnel needs at least two steps');
  });
});
