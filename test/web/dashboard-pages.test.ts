// The web app's saved insights and dashboards: save from the insights page, dashboards built by
// forms (tiles, move/resize, text, filters), and the shared page (no session, escaped text,
// frame-ancestors only when allowed, gone once sharing stops).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../dashboards/saved-support';
import { api, fetchWorker, newProject, SAME_ORIGIN, seedEvents, signIn } from '../support';

let cookie: string;
let projectId: number;
const HOSTILE = '<img src=x onerror=alert(1)>';

const get = (path: string, withCookie = true) =>
  fetchWorker(path, { headers: withCookie ? { Cookie: cookie } : {}, redirect: 'manual' });

async function post(path: string, form: Record<string, string>) {
  const res = await fetchWorker(path, {
    method: 'POST',
    headers: { ...SAME_ORIGIN, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });
  return res;
}

beforeAll(async () => {
  cookie = await signIn();
  projectId = (await newProject('dashboard pages')).id;
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
  await seedEvents(projectId, [
    { event: 'buy', distinctId: 'u1', timestamp: day(1) },
    { event: 'buy', distinctId: 'u2', timestamp: day(2) },
  ]);
});

describe('dashboard pages', () => {
  it("links a funnel tile's numbers to their persons only while the page can rebuild the exact query", async () => {
    const app = `/app/projects/${projectId}`;
    const params = 'kind=funnels&event=buy&event=buy&date_from=-30d&window=14&window_unit=day';
    const saved = await post(`${app}/insights/saved`, { name: 'Funnel', params });
    const insightId = /saved\/(\d+)$/.exec(saved.headers.get('Location')!)![1]!;
    const board = (await post(`${app}/dashboards`, { name: 'Links' })).headers.get('Location')!;
    await post(`${board}/tiles`, { insight_id: insightId });
    const linked = await (await get(`${board}?refresh=1`)).text();
    expect(linked).toMatch(/href="\/app\/projects\/\d+\/insights\/actors\?kind=funnels&amp;event=buy/);
    // A date range the form can express keeps the links (with the dashboard's range in them).
    await post(`${board}/filters`, { date_from: '-90d' });
    expect(await (await get(`${board}?refresh=1`)).text()).toContain('date_from=-90d');
    // A property filter the form cannot express: bare numbers rather than links to other persons.
    await post(`${board}/filters`, { property_key: 'plan', property_value: 'pro' });
    expect(await (await get(`${board}?refresh=1`)).text()).not.toContain('/insights/actors');
  });

  it('saves an insight from the insights page, builds a dashboard, shares and revokes it', async () => {
    const app = `/app/projects/${projectId}`;
    const params = 'kind=trends&event=buy&math=total&interval=day&date_from=-7d';
    const page = await (await get(`${app}/insights?${params}`)).text();
    expect(page).toContain('Save insight');
    const saved = await post(`${app}/insights/saved`, { name: HOSTILE, description: 'd', params });
    expect(saved.status).toBe(303);
    const insightPath = saved.headers.get('Location')!;
    const insightId = Number(/saved\/(\d+)$/.exec(insightPath)![1]);
    const insight = (await (await api(`/api/projects/${projectId}/insights/${insightId}/`)).json()) as Json;
    expect(insight.name).toBe(HOSTILE);
    expect(insight.query.series[0].event).toBe('buy');
    const insightHtml = await (await get(insightPath)).text();
    expect(insightHtml).not.toContain(HOSTILE);
    expect(insightHtml).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(insightHtml).toContain('Edit query');

    const created = await post(`${app}/dashboards`, { name: `Board ${HOSTILE}` });
    expect(created.status).toBe(303);
    const board = created.headers.get('Location')!;
    const dashboardId = Number(/dashboards\/(\d+)$/.exec(board)![1]);
    expect((await post(`${board}/tiles`, { insight_id: String(insightId) })).status).toBe(303);
    expect((await post(`${board}/text`, { body: `<script>alert(1)</script>` })).status).toBe(303);
    const api1 = (await (await api(`/api/projects/${projectId}/dashboards/${dashboardId}/`)).json()) as Json;
    const [insightTile, textTile] = api1.tiles;
    expect(insightTile.insight.id).toBe(insightId);
    // Move the text tile before the insight, make it wider: every tile gets a packed cell.
    expect((await post(`${board}/tiles/${textTile.id}/change`, { change: 'earlier' })).status).toBe(303);
    expect((await post(`${board}/tiles/${textTile.id}/change`, { change: 'wider' })).status).toBe(303);
    const api2 = (await (await api(`/api/projects/${projectId}/dashboards/${dashboardId}/`)).json()) as Json;
    const cell = (id: number) => api2.tiles.find((t: Json) => t.id === id).layouts.sm;
    expect(cell(textTile.id)).toEqual({ x: 0, y: 0, w: 8, h: 5 });
    expect(cell(insightTile.id)).toEqual({ x: 0, y: 5, w: 6, h: 5 });
    expect(
      (await post(`${board}/filters`, { date_from: '-30d', property_key: 'plan', property_operator: 'is_set' })).status,
    ).toBe(303);
    const api3 = (await (await api(`/api/projects/${projectId}/dashboards/${dashboardId}/`)).json()) as Json;
    expect(api3.filters).toEqual({
      date_from: '-30d',
      properties: [{ key: 'plan', type: 'event', operator: 'is_set' }],
    });
    expect((await post(`${board}/filters`, { date_from: 'yesterday-ish' })).status).toBe(400);

    const refreshed = await (await get(`${board}?refresh=1`)).text();
    expect(refreshed).not.toContain('<script>alert(1)</script>');
    expect(refreshed).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');

    expect((await post(`${board}/share`, { action: 'enable' })).status).toBe(303);
    const sharing = (await (await api(`/api/projects/${projectId}/dashboards/${dashboardId}/sharing/`)).json()) as Json;
    const sharedPath = `/app/shared/${projectId}/${sharing.access_token}`;
    const shared = await get(sharedPath, false);
    expect(shared.status).toBe(200);
    expect(shared.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(shared.headers.get('X-Frame-Options')).toBe('DENY');
    const sharedHtml = await shared.text();
    expect(sharedHtml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(sharedHtml).not.toContain(`/insights/saved/${insightId}`);
    expect(sharedHtml).not.toContain('Sign out');
    await post(`${board}/share`, { action: 'settings', allow_embedding: 'yes' });
    const framable = await get(sharedPath, false);
    expect(framable.headers.get('Content-Security-Policy')).toContain('frame-ancestors *');
    expect(framable.headers.get('X-Frame-Options')).toBeNull();
    await post(`${board}/share`, { action: 'disable' });
    expect((await get(sharedPath, false)).status).toBe(404);
    await post(`${board}/share`, { action: 'enable' });
    await post(`${board}/share`, { action: 'rotate' });
    expect((await get(sharedPath, false)).status).toBe(404);
    // The shared page never links numbers to persons.
    await post(`${board}/share`, { action: 'enable' });
    const token = ((await (await api(`/api/projects/${projectId}/dashboards/${dashboardId}/sharing/`)).json()) as Json)
      .access_token;
    expect(await (await get(`/app/shared/${projectId}/${token}`, false)).text()).not.toContain('/insights/actors');
    // Other pages still need a session.
    expect((await get(board, false)).status).toBe(303);
  });
});
