// PostHog's agent toolkit (npm @posthog/agent-toolkit, unchanged) builds a dashboard against the
// service, as an agent would: each tool's input parsed by its own schema, then its handler run.
// It creates an insight from a query, finds it, reads it, runs it, creates a dashboard, adds the
// insight to it and updates the dashboard; the answers are checked against the events sent and
// against the REST API.
import { randomUUID } from 'node:crypto';
import { PostHogAgentToolkit } from '@posthog/agent-toolkit/tools';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from './lib/checks';
import { freshProject, type SuiteContext, uniqueId } from './lib/context';

type Tools = Awaited<ReturnType<PostHogAgentToolkit['getTools']>>;
type Json = Record<string, unknown>;

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('@posthog/agent-toolkit: saved insights and dashboards', () => {
  let ctx: SuiteContext;
  let toolkit: PostHogAgentToolkit;
  let tools: Tools;
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate(), 12);
  const sent: number[] = [];
  const name = uniqueId('Signups per day');

  // biome-ignore lint/suspicious/noExplicitAny: tool answers are read field by field, as an agent reads them.
  async function call(tool: string, input: Json): Promise<any> {
    const found = tools.find((t) => t.name === tool);
    if (!found) throw new Error(`the toolkit offers no ${tool} tool`);
    const out = await found.handler(toolkit.getContext(), found.schema.parse(input));
    const text = (out as { content: { text: string }[] }).content[0]!.text;
    return text.startsWith('[') || text.startsWith('{') ? JSON.parse(text) : text;
  }

  beforeAll(async () => {
    ctx = await freshProject('dashboards-toolkit');
    const batch = [];
    for (let i = 0; i < 9; i++) {
      const at = today - (i % 4) * DAY;
      sent.push(at);
      batch.push({
        uuid: randomUUID(),
        event: 'signup',
        distinct_id: uniqueId('u'),
        timestamp: new Date(at).toISOString(),
      });
    }
    const res = await fetch(`${ctx.baseUrl}/batch/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_key: ctx.project.api_token, batch }),
    });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const stored = await ctx.api.events();
      if (stored.length < sent.length) throw new Error(`${stored.length} of ${sent.length} events stored`);
    });
    toolkit = new PostHogAgentToolkit({ posthogApiToken: inject('service').apiKey, posthogApiBaseUrl: ctx.baseUrl });
    tools = await toolkit.getTools();
    // The toolkit sets its default organization and project together when it first needs the organization,
    // overwriting a project switched to before: so it looks around first (see agent-toolkit.test.ts).
    await call('projects-get', {});
    await call('switch-project', { projectId: ctx.project.id });
  });

  it('offers the insight and dashboard tools', () => {
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'insight-create-from-query',
        'insights-get-all',
        'insight-get',
        'insight-query',
        'dashboard-create',
        'dashboards-get-all',
        'dashboard-get',
        'dashboard-update',
        'add-insight-to-dashboard',
      ]),
    );
  });

  it('creates an insight, finds it, runs it, and puts it on a new dashboard', async () => {
    const query = {
      kind: 'InsightVizNode',
      source: {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: 'signup', math: 'total' }],
        dateRange: { date_from: '-6d' },
        interval: 'day',
      },
    };
    const created = await call('insight-create-from-query', { data: { name, query, favorited: false } });
    expect(created).toMatchObject({ name, query });
    expect(created.short_id).toMatch(/^[A-Za-z0-9]{8}$/);

    const found = (await call('insights-get-all', { data: { search: name } })) as Json[];
    expect(found.map((i) => i.id)).toEqual([created.id]);
    expect((await call('insight-get', { insightId: created.short_id })).id).toBe(created.id);

    const ran = await call('insight-query', { insightId: created.short_id });
    const [series] = ran.results as { days: string[]; data: number[] }[];
    expect(series!.data).toEqual(series!.days.map((d) => sent.filter((at) => dayOf(at) === d).length));

    const dashboard = await call('dashboard-create', {
      data: { name: `Growth ${name}`, description: 'made by an agent' },
    });
    await call('add-insight-to-dashboard', { data: { insightId: created.short_id, dashboardId: dashboard.id } });
    const got = await call('dashboard-get', { dashboardId: dashboard.id });
    expect(got.tiles.map((t: Json) => (t.insight as Json).short_id)).toEqual([created.short_id]);
    const all = (await call('dashboards-get-all', {})) as Json[];
    expect(all.map((d) => d.id)).toContain(dashboard.id);
    await call('dashboard-update', { dashboardId: dashboard.id, data: { description: 'updated', pinned: true } });

    // Both sides agree, seen through the REST API; the dashboard tile computes the same numbers.
    const rest = await ctx.rest.request<Json>('GET', `/api/projects/${ctx.project.id}/insights/${created.id}/`);
    expect(rest.dashboards).toEqual([dashboard.id]);
    const board = await ctx.rest.request<{ description: string; pinned: boolean; tiles: { insight: Json }[] }>(
      'GET',
      `/api/projects/${ctx.project.id}/dashboards/${dashboard.id}/?refresh=blocking`,
    );
    expect(board).toMatchObject({ description: 'updated', pinned: true });
    expect(board.tiles[0]!.insight.result).toEqual(ran.results);
  });
});
