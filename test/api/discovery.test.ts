// Discovery endpoints, the /environments/ alias and the query wrapper nodes, as PostHog's clients use them.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, getJson, newProject, seedEvents, type ProjectJson } from '../support';
import { postQuery } from '../query/helpers';

let project: ProjectJson;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  project = await newProject('discovery');
  await seedEvents(project.id, [
    { distinctId: 'a', timestamp: '2024-05-06T10:00:00.000Z' },
    { distinctId: 'b', timestamp: '2024-05-07T10:00:00.000Z' },
    { distinctId: 'b', timestamp: '2024-05-07T11:00:00.000Z', event: 'signup' },
  ]);
});

describe('discovery', () => {
  it('users/@me names the organization and a current project that the organization lists', async () => {
    const me = await getJson<{
      distinct_id: string;
      team: { id: number; organization: string };
      organization: { id: string; teams: { id: number }[] };
      organizations: { id: string }[];
    }>('/api/users/@me/');
    expect(me.organization.id).toMatch(UUID);
    expect(me.organizations.map((o) => o.id)).toEqual([me.organization.id]);
    expect(me.team.organization).toBe(me.organization.id);
    expect(me.organization.teams.map((t) => t.id)).toContain(project.id);
    const projects = await getJson<{ results: { id: number; organization: string }[] }>(
      `/api/organizations/${me.organization.id}/projects/`,
    );
    expect(projects.results.find((p) => p.id === project.id)?.organization).toBe(me.organization.id);
    expect((await getJson<{ id: string }>('/api/organizations/@current/')).id).toBe(me.organization.id);
    await getJson(`/api/organizations/${crypto.randomUUID()}/`, 404);
  });

  it('personal_api_keys/@current gives scopes in PostHog words, and every discovery path needs the key', async () => {
    const key = await getJson<{ scopes: string[]; scoped_teams: number[]; scoped_organizations: string[] }>(
      '/api/personal_api_keys/@current',
    );
    expect(key.scopes).toEqual(expect.arrayContaining(['query:read', 'event_definition:read', 'project:read']));
    expect(key.scoped_teams).toEqual([]);
    for (const path of ['/api/users/@me/', '/api/personal_api_keys/@current', '/api/organizations/']) {
      expect((await api(path, { key: 'phx_wrong' })).status).toBe(401);
    }
  });

  it('projects/:id/ and environments/:id/ are the same team, with uuid and organization', async () => {
    const asProject = await getJson<Record<string, unknown>>(`/api/projects/${project.id}/`);
    const asEnvironment = await getJson<Record<string, unknown>>(`/api/environments/${project.id}/`);
    expect(asEnvironment).toEqual(asProject);
    expect(asProject.uuid).toMatch(UUID);
    expect(asProject.project_id).toBe(project.id);
    const events = await getJson<{ results: unknown[] }>(`/api/environments/${project.id}/events/?limit=10`);
    expect(events.results).toHaveLength(3);
  });
});

describe('query wrapper nodes', () => {
  const trends = {
    kind: 'TrendsQuery',
    series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }],
    dateRange: { date_from: '2024-05-05', date_to: '2024-05-08' },
  };
  const answer = async (query: unknown, prefix: 'projects' | 'environments' = 'environments') => {
    const res = await postQuery(project.id, { query }, prefix);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answers InsightVizNode and DataTableNode as their source, with display fields accepted', async () => {
    const plain = await answer(trends, 'projects');
    expect(plain.status).toBe(200);
    const wrapped = await answer({ kind: 'InsightVizNode', source: trends, full: true, showHeader: false });
    expect(wrapped.body.results).toEqual(plain.body.results);
    expect(wrapped.body.cache_key).toBe(plain.body.cache_key);
    const events = { kind: 'EventsQuery', select: ['event', 'distinct_id'], after: '2024-05-01', orderBy: ['event'] };
    const table = await answer({ kind: 'DataTableNode', source: events, columns: ['event'], showActions: true });
    expect(table.body.results).toEqual((await answer(events)).body.results);
  });

  it('refuses a wrapper field it does not know, and a wrapper without a query, naming them', async () => {
    const extra = await answer({ kind: 'InsightVizNode', source: trends, refreshInterval: 5 });
    expect(extra.status).toBe(400);
    expect(extra.body.attr).toBe('query.refreshInterval');
    const empty = await answer({ kind: 'DataVisualizationNode' });
    expect(empty.status).toBe(400);
    expect(empty.body.attr).toBe('query.source');
  });

  it("carries PostHog's envelope fields", async () => {
    const { body } = await answer(trends);
    expect(body).toMatchObject({
      is_cached: false,
      timezone: 'UTC',
      modifiers: { personsOnEventsMode: 'disabled' },
      cache_key: expect.stringMatching(/^cache_[0-9a-f]{32}$/),
    });
    expect(body.next_allowed_client_refresh).toBe(body.last_refresh);
    expect(body.timings).toEqual([{ k: './query', t: expect.any(Number) }]);
  });
});
