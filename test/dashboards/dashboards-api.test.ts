// Dashboards over the REST API in PostHog's shapes: tiles kept consistent with the insights'
// `dashboards`, filters overriding every tile (and invalidating the cache), layouts, text tiles,
// soft delete, and the share link.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DashboardBasicSchema,
  DashboardSchema,
  InsightSchema,
  SharingConfigurationSchema,
} from '../../src/api/saved-docs';
import { DASHBOARD_LIST_PARAMS, INSIGHT_GET_PARAMS, INSIGHT_LIST_PARAMS } from '../../src/api/saved-schemas';
import { newProject, seedEvents } from '../support';
import { call, endpointResults, type Json, trendsSource, viz } from './saved-support';

// posthog/api/dashboards/dashboard.py: the basic serializer's fields and the detail's additions.
const POSTHOG_DASHBOARD_FIELDS = [
  'id',
  'name',
  'description',
  'pinned',
  'created_at',
  'created_by',
  'last_accessed_at',
  'is_shared',
  'deleted',
  'creation_mode',
  'tags',
  'restriction_level',
  'effective_restriction_level',
  'effective_privilege_level',
  'user_access_level',
  'access_control_version',
  'last_refresh',
  'team_id',
];
const POSTHOG_DETAIL_FIELDS = ['filters', 'variables', 'breakdown_colors', 'persisted_filters', 'tiles'];
const POSTHOG_TILE_FIELDS = ['id', 'insight', 'text', 'layouts', 'color', 'order', 'last_refresh', 'is_cached'];

let projectId: number;
let api: string;

beforeAll(async () => {
  projectId = (await newProject('dashboards')).id;
  api = `/api/projects/${projectId}`;
  await seedEvents(projectId, [
    { distinctId: 'a', event: 'signup', timestamp: '2024-05-02T10:00:00.000Z', properties: { plan: 'pro' } },
    { distinctId: 'b', event: 'signup', timestamp: '2024-05-03T10:00:00.000Z', properties: { plan: 'free' } },
    { distinctId: 'c', event: 'signup', timestamp: '2024-05-06T10:00:00.000Z', properties: { plan: 'pro' } },
  ]);
});

const insightOn = (tiles: Json[], id: number): Json => tiles.find((t) => t.insight?.id === id) ?? {};

describe('dashboards', () => {
  it('creates, lists and gets a dashboard in PostHog shape', async () => {
    const made = await call('POST', `${api}/dashboards/`, { name: 'Growth', description: 'weekly' }, 201);
    for (const field of [...POSTHOG_DASHBOARD_FIELDS, ...POSTHOG_DETAIL_FIELDS])
      expect(made, field).toHaveProperty(field);
    expect(made).toMatchObject({ name: 'Growth', tiles: [], filters: {}, is_shared: false, team_id: projectId });
    const list = await call('GET', `${api}/dashboards/?search=grow`);
    expect(list.count).toBe(1);
    expect(list.results[0]).not.toHaveProperty('tiles');
    expect((await call('GET', `/api/environments/${projectId}/dashboards/${made.id}/`)).name).toBe('Growth');
    await call('DELETE', `${api}/dashboards/${made.id}/`, undefined, 405);
  });

  it("adds and removes insights through the insight's dashboards, keeping both sides consistent", async () => {
    const d1 = await call('POST', `${api}/dashboards/`, { name: 'One' }, 201);
    const d2 = await call('POST', `${api}/dashboards/`, { name: 'Two' }, 201);
    const insight = await call(
      'POST',
      `${api}/insights/`,
      { name: 'Signups', query: viz(trendsSource('signup')), dashboards: [d1.id] },
      201,
    );
    expect(insight.dashboards).toEqual([d1.id]);
    expect(insight.dashboard_tiles).toEqual([{ id: expect.any(Number), dashboard_id: d1.id, deleted: false }]);
    // The agent toolkit's add-insight-to-dashboard: PATCH {"dashboards": [id]} (replaces the list, as in PostHog).
    const moved = await call('PATCH', `${api}/insights/${insight.id}/`, { dashboards: [d2.id] });
    expect(moved.dashboards).toEqual([d2.id]);
    expect((await call('GET', `${api}/dashboards/${d1.id}/`)).tiles).toEqual([]);
    const two = await call('GET', `${api}/dashboards/${d2.id}/`);
    expect(two.tiles).toHaveLength(1);
    for (const field of POSTHOG_TILE_FIELDS) expect(two.tiles[0], field).toHaveProperty(field);
    expect(two.tiles[0].insight.id).toBe(insight.id);
    // Listed as saved once on a dashboard.
    expect((await call('GET', `${api}/insights/?saved=true`)).results.map((r: Json) => r.id)).toContain(insight.id);
    // A deleted insight leaves every dashboard.
    await call('PATCH', `${api}/insights/${insight.id}/`, { deleted: true });
    expect((await call('GET', `${api}/dashboards/${d2.id}/`)).tiles).toEqual([]);
    await call('PATCH', `${api}/insights/${insight.id}/`, { dashboards: [999_999] }, 404);
    const other = await call('POST', `${api}/insights/`, { query: viz(trendsSource('signup')) }, 201);
    expect((await call('PATCH', `${api}/insights/${other.id}/`, { dashboards: [999_999] }, 400)).attr).toBe(
      'dashboards',
    );
  });

  it("overrides every tile's range and properties with its filters, recalculated when they change", async () => {
    const dash = await call('POST', `${api}/dashboards/`, { name: 'Filtered' }, 201);
    const source = trendsSource('signup');
    const insight = await call('POST', `${api}/insights/`, { query: viz(source), dashboards: [dash.id] }, 201);
    const plain = await call('GET', `${api}/dashboards/${dash.id}/?refresh=blocking`);
    expect(insightOn(plain.tiles, insight.id).insight.result).toEqual(await endpointResults(projectId, source));
    expect(plain.last_refresh).toBe(insightOn(plain.tiles, insight.id).last_refresh);

    const filters = {
      date_from: '2024-05-03',
      date_to: '2024-05-06',
      properties: [{ key: 'plan', value: 'pro', operator: 'exact', type: 'event' }],
    };
    const patched = await call('PATCH', `${api}/dashboards/${dash.id}/`, { filters });
    expect(patched.filters).toEqual(filters);
    // The old result was for other filters: gone, not served.
    expect(insightOn(patched.tiles, insight.id)).toMatchObject({ last_refresh: null, insight: { result: null } });
    const model = await endpointResults(projectId, {
      ...source,
      dateRange: { date_from: '2024-05-03', date_to: '2024-05-06' },
      properties: filters.properties,
    });
    const filtered = await call('GET', `${api}/dashboards/${dash.id}/?refresh=blocking`);
    const tile = insightOn(filtered.tiles, insight.id);
    expect(tile.insight.result).toEqual(model);
    expect(tile.insight.query.source.dateRange).toEqual({ date_from: '2024-05-03', date_to: '2024-05-06' });
    // The insight alone keeps its own range and its own cached result.
    const alone = await call('GET', `${api}/insights/${insight.id}/?refresh=blocking`);
    expect(alone.result).toEqual(await endpointResults(projectId, source));
    expect((await call('GET', `${api}/insights/${insight.id}/?from_dashboard=${dash.id}`)).result).toEqual(model);
    expect((await call('GET', `${api}/dashboards/${dash.id}/`)).tiles[0].is_cached).toBe(true);
    await call('PATCH', `${api}/dashboards/${dash.id}/`, { filters: { breakdown_filter: {} } }, 400);
  });

  it('moves and resizes tiles, adds, edits and removes text tiles', async () => {
    const dash = await call('POST', `${api}/dashboards/`, { name: 'Layout' }, 201);
    const insight = await call(
      'POST',
      `${api}/insights/`,
      { query: viz(trendsSource('signup')), dashboards: [dash.id] },
      201,
    );
    const body = '<script>alert(1)</script> **not markdown**';
    const withText = await call('PATCH', `${api}/dashboards/${dash.id}/`, { tiles: [{ text: { body } }] });
    const text = withText.tiles.find((t: Json) => t.text);
    expect(text.text.body).toBe(body);
    const tileId = insightOn(withText.tiles, insight.id).id;
    const layouts = { sm: { x: 6, y: 0, w: 6, h: 5 }, xs: { x: 0, y: 0, w: 1, h: 5 } };
    const moved = await call('PATCH', `${api}/dashboards/${dash.id}/`, {
      tiles: [
        { id: tileId, layouts, color: 'blue' },
        { id: text.id, text: { body: 'edited' } },
      ],
    });
    expect(insightOn(moved.tiles, insight.id)).toMatchObject({ layouts, color: 'blue' });
    expect(moved.tiles.find((t: Json) => t.id === text.id).text.body).toBe('edited');
    const removed = await call('PATCH', `${api}/dashboards/${dash.id}/`, { tiles: [{ id: text.id, deleted: true }] });
    expect(removed.tiles.map((t: Json) => t.id)).toEqual([tileId]);
    expect(
      (
        await call(
          'PATCH',
          `${api}/dashboards/${dash.id}/`,
          { tiles: [{ id: tileId, layouts: { sm: { x: -1, y: 0, w: 1, h: 1 } } }] },
          400,
        )
      ).attr,
    ).toMatch(/^tiles\.0\.layouts/);
    expect((await call('PATCH', `${api}/dashboards/${dash.id}/`, { tiles: [{ layouts }] }, 400)).attr).toBe('tiles');
    // Soft delete: gone from the list and from the insight's dashboards; PATCH deleted: false brings it back.
    await call('PATCH', `${api}/dashboards/${dash.id}/`, { deleted: true });
    await call('GET', `${api}/dashboards/${dash.id}/`, undefined, 404);
    expect((await call('GET', `${api}/insights/${insight.id}/`)).dashboards).toEqual([]);
    await call('PATCH', `${api}/dashboards/${dash.id}/`, { deleted: false });
    expect((await call('GET', `${api}/insights/${insight.id}/`)).dashboards).toEqual([dash.id]);
  });

  it('shares by a secret token that can be turned off and replaced', async () => {
    const dash = await call('POST', `${api}/dashboards/`, { name: 'Shared' }, 201);
    const off = await call('GET', `${api}/dashboards/${dash.id}/sharing/`);
    expect(off).toEqual({ created_at: null, enabled: false, access_token: null, settings: {} });
    const on = await call('PATCH', `${api}/dashboards/${dash.id}/sharing/`, {
      enabled: true,
      settings: { allowEmbedding: true },
    });
    expect(on).toMatchObject({ enabled: true, settings: { allowEmbedding: true } });
    expect(on.access_token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await call('GET', `${api}/dashboards/${dash.id}/`)).is_shared).toBe(true);
    const rotated = await call('POST', `${api}/dashboards/${dash.id}/sharing/refresh/`, {});
    expect(rotated.access_token).not.toBe(on.access_token);
    expect(
      (await call('PATCH', `${api}/dashboards/${dash.id}/sharing/`, { settings: { whitelabel: true } }, 400)).detail,
    ).toMatch(/whitelabel/);
  });

  it('is described in the served OpenAPI document, and answers in the shapes it documents', async () => {
    const doc = await call('GET', '/api/openapi.json');
    for (const prefix of ['projects', 'environments']) {
      const methods = (path: string) => Object.keys(doc.paths[`/${prefix}/{project_id}${path}`] ?? {}).sort();
      expect(methods('/insights')).toEqual(['get', 'post']);
      expect(methods('/insights/{insight_id}')).toEqual(['delete', 'get', 'patch']);
      expect(methods('/dashboards')).toEqual(['get', 'post']);
      expect(methods('/dashboards/{dashboard_id}')).toEqual(['delete', 'get', 'patch']);
      expect(methods('/dashboards/{dashboard_id}/sharing')).toEqual(['get', 'patch']);
      expect(methods('/dashboards/{dashboard_id}/sharing/refresh')).toEqual(['post']);
    }
    // The parameters documented are the ones the routes accept (they refuse any other).
    const params = (path: string, method = 'get') =>
      doc.paths[`/projects/{project_id}${path}`][method].parameters.map((p: Json) => `${p.in}:${p.name}`).sort();
    const query = (names: object) => Object.keys(names).map((n) => `query:${n}`);
    expect(params('/insights')).toEqual(['path:project_id', ...query(INSIGHT_LIST_PARAMS)].sort());
    expect(params('/insights/{insight_id}')).toEqual(
      ['path:project_id', 'path:insight_id', ...query(INSIGHT_GET_PARAMS)].sort(),
    );
    expect(params('/dashboards')).toEqual(['path:project_id', ...query(DASHBOARD_LIST_PARAMS)].sort());
    const bodyOf = (path: string, method: string) =>
      doc.paths[`/projects/{project_id}${path}`][method].requestBody.content['application/json'].schema;
    expect(bodyOf('/insights', 'post').required).toEqual(['query']);
    expect(Object.keys(bodyOf('/dashboards/{dashboard_id}', 'patch').properties)).toEqual(
      expect.arrayContaining(['name', 'filters', 'tiles']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Insight', 'Dashboard', 'DashboardBasic', 'DashboardTile', 'SharingConfiguration']),
    );

    // Real answers parse with the documented (strict) schemas: a field answered but not documented fails.
    const board = await call('POST', `${api}/dashboards/`, { name: 'Documented' }, 201);
    const insight = await call(
      'POST',
      `${api}/insights/`,
      { name: 'Doc', query: viz(trendsSource('signup')), dashboards: [board.id] },
      201,
    );
    InsightSchema.parse(insight);
    InsightSchema.parse(await call('GET', `${api}/insights/${insight.id}/?refresh=blocking`));
    const withText = await call('PATCH', `${api}/dashboards/${board.id}/`, { tiles: [{ text: { body: 'hi' } }] });
    expect(withText.tiles).toHaveLength(2);
    DashboardSchema.parse(withText);
    DashboardSchema.parse(await call('GET', `${api}/dashboards/${board.id}/?refresh=blocking`));
    for (const row of (await call('GET', `${api}/dashboards/`)).results) DashboardBasicSchema.parse(row);
    SharingConfigurationSchema.parse(await call('PATCH', `${api}/dashboards/${board.id}/sharing/`, { enabled: true }));
    expect(() => InsightSchema.parse({ ...insight, colour: 'red' })).toThrow();
  });
});
