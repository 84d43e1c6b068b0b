// PostHog's agent toolkit (npm @posthog/agent-toolkit, unchanged; the same tools as PostHog's MCP
// server) pointed at the service with the personal API key, driven as an agent would: each tool's
// input parsed by its own schema, then its handler run. The answers are compared with what
// posthog-node sent in this test.
import { randomUUID } from 'node:crypto';
import { PostHogAgentToolkit } from '@posthog/agent-toolkit/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventually } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';
import { nodeClient, type RecordedNodeClient } from './lib/node-sdk';

type Tools = Awaited<ReturnType<PostHogAgentToolkit['getTools']>>;

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('@posthog/agent-toolkit', () => {
  let ctx: SuiteContext;
  let sdk: RecordedNodeClient;
  let toolkit: PostHogAgentToolkit;
  let tools: Tools;
  const sent: { event: string; at: number; properties: Record<string, unknown> }[] = [];
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate(), 12);

  /** Runs a tool as an agent would: its schema checks (and defaults) the input, then its handler runs. */
  async function call(name: string, input: Record<string, unknown>): Promise<unknown> {
    const tool = tools.find((t) => t.name === name);
    if (!tool) throw new Error(`the toolkit offers no ${name} tool`);
    const out = await tool.handler(toolkit.getContext(), tool.schema.parse(input));
    const text = (out as { content: { text: string }[] }).content[0]!.text;
    return text.startsWith('[') || text.startsWith('{') ? JSON.parse(text) : text;
  }

  beforeAll(async () => {
    ctx = await freshProject('agent-toolkit');
    sdk = nodeClient(ctx.project.api_token, ctx.baseUrl);
    for (let i = 0; i < 12; i++) {
      const user = uniqueId(`agent-user-${i % 4}`);
      const at = today - (i % 3) * DAY;
      sent.push({ event: '$pageview', at, properties: { $current_url: `https://example.com/${i}` } });
      sdk.client.capture({
        distinctId: user,
        event: '$pageview',
        properties: sent.at(-1)!.properties,
        timestamp: new Date(at),
        uuid: randomUUID(),
      });
      if (i % 3 === 0) {
        sent.push({ event: 'signup', at, properties: { plan: i % 2 ? 'pro' : 'free', price: i * 2.5 } });
        sdk.client.capture({
          distinctId: user,
          event: 'signup',
          properties: sent.at(-1)!.properties,
          timestamp: new Date(at),
          uuid: randomUUID(),
        });
      }
    }
    await sdk.client.shutdown();
    await eventually(async () => {
      const stored = await ctx.api.events();
      if (stored.length < sent.length) throw new Error(`${stored.length} of ${sent.length} events stored`);
    });
    const { apiKey } = inject('service');
    toolkit = new PostHogAgentToolkit({ posthogApiToken: apiKey, posthogApiBaseUrl: ctx.baseUrl });
    tools = await toolkit.getTools();
    // The key's current project is the service's first one; the agent switches to this suite's. The toolkit
    // sets its default organization and project together the first time it needs the organization (as
    // projects-get does), overwriting a project switched to before: so it looks around first, as an agent would.
    await call('projects-get', {});
    await call('switch-project', { projectId: ctx.project.id });
  });
  afterAll(async () => {
    await sdk?.client.shutdown();
  });

  it('offers the tools the key allows: query, definitions, projects; none for objects the service lacks', () => {
    const names = tools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining(['event-definitions-list', 'properties-list', 'query-run', 'projects-get']),
    );
    expect(names).not.toContain('feature-flag-get-all');
  });

  it('projects-get lists this project in the organization', async () => {
    const projects = (await call('projects-get', {})) as { id: number; name: string; organization: string }[];
    expect(projects.find((p) => p.id === ctx.project.id)).toMatchObject({ name: ctx.project.name });
  });

  it('event-definitions-list names every event sent', async () => {
    const defs = (await call('event-definitions-list', {})) as { name: string; last_seen_at: string }[];
    expect(defs.map((d) => d.name).sort()).toEqual([...new Set(sent.map((s) => s.event))].sort());
  });

  it("properties-list gives an event's own properties with their types", async () => {
    const props = (await call('properties-list', { type: 'event', eventName: 'signup' })) as {
      name: string;
      property_type: string;
    }[];
    expect(props).toEqual([
      { name: 'plan', property_type: 'String' },
      { name: 'price', property_type: 'Numeric' },
    ]);
  });

  it('query-run answers a wrapped trends insight: pageviews per day', async () => {
    const results = (await call('query-run', {
      query: {
        kind: 'InsightVizNode',
        source: {
          kind: 'TrendsQuery',
          series: [{ kind: 'EventsNode', event: '$pageview', custom_name: 'Views', math: 'total' }],
          dateRange: { date_from: '-6d' },
          interval: 'day',
        },
      },
    })) as { days: string[]; data: number[] }[];
    const [series] = results;
    const expected = series!.days.map((d) => sent.filter((s) => s.event === '$pageview' && dayOf(s.at) === d).length);
    expect(series!.data).toEqual(expected);
    expect(series!.data.reduce((a, b) => a + b, 0)).toBe(sent.filter((s) => s.event === '$pageview').length);
  });

  it('query-run answers a wrapped HogQL query', async () => {
    const results = await call('query-run', {
      query: {
        kind: 'DataVisualizationNode',
        source: {
          kind: 'HogQLQuery',
          query: "SELECT event, count() FROM events WHERE event = 'signup' GROUP BY event",
        },
      },
    });
    expect(results).toEqual([['signup', sent.filter((s) => s.event === 'signup').length]]);
  });
});
