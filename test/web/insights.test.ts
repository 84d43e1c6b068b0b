import { describe, expect, it } from 'vitest';
import { api, fetchWorker, newProject, seedEvents, seedPerson, signIn, decodeHtml } from '../support';

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
    const query = JSON.parse(decodeHtml(/<pre class="json"[^>]*>([\s\S]*?)<\/pre>/.exec(html)![1]!)).query;
    const answer = (await (
      await api(`/api/projects/${projectId}/query/`, { method: 'POST', json: { query } })
    ).json()) as { results: { data: number[]; breakdown_value: string }[] };
    const chart = JSON.parse(decodeHtml(/data-chart="([^"]*)"/.exec(html)![1]!)) as {
      series: { name: string; data: number[] }[];
    };
    expect(chart.series.map((s) => s.data)).toEqual(answer.results.map((r) => r.data));
    expect(chart.series.map((s) => s.name).sort()).toEqual([
      'buy — total count · <b>pro</b>',
      'buy — total count · free',
    ]);
    expect(answer.results.flatMap((r) => r.data).reduce((a, b) => a + b, 0)).toBe(3);
    expect(html).not.toContain('<b>pro</b>');
    expect(html).toContain('buy — total count · &lt;b&gt;pro&lt;/b&gt;');
  });

  it('a query the engine refuses shows its message (a 400), not an error page', async () => {
    const cookie = await signIn();
    const { id: projectId } = await newProject();
    await seedEvents(projectId, [{ event: 'x', distinctId: 'u1', timestamp: new Date().toISOString() }]);
    const res = await fetchWorker(`/app/projects/${projectId}/insights?kind=trends&event=x&key=n&op=gt&value=many`, {
      headers: { Cookie: cookie },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('operator &quot;gt&quot; needs a number');
    const funnel = await fetchWorker(`/app/projects/${projectId}/insights?kind=funnels&event=a`, {
      headers: { Cookie: cookie },
    });
    expect(funnel.status).toBe(400);
    expect(await funnel.text()).toContain('A funnel needs at least two steps');
  });
});
