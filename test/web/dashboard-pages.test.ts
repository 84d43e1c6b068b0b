// The web app's saved insights and dashboards: save from the insights page, dashboards built by
// forms (tiles, move/resize, text, filters), and the shared page (no session, escaped text,
// frame-ancestors only when allowed, gone once sharing stops).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../dashboards/saved-support';
import { api, fetchWorker, newProject, SAME_ORIGIN, seedEvents, seedPerson, signIn } from '../support';

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

/** Who bought on which days ago, on which plan: the dashboard below keeps plan "pro" only. */
const buyers = [
  { distinctId: 'u1', days: [1, 2], plan: 'pro' },
  { distinctId: 'u2', days: [1], plan: 'free' },
  { distinctId: 'u3', days: [2], plan: 'pro' },
];
const personOf = new Map<string, string>();
const dayAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

beforeAll(async () => {
  cookie = await signIn();
  projectId = (await newProject('dashboard pages')).id;
  for (const b of buyers) {
    const id = await seedPerson(projectId, {
      distinctIds: [b.distinctId],
      properties: { email: `${b.distinctId}@x.io` },
    });
    personOf.set(b.distinctId, id);
    const at = (event: string, n: number, offset: number) => ({
      event,
      distinctId: b.distinctId,
      personIdAtIngest: id,
      timestamp: new Date(Date.parse(dayAgo(n)) + offset).toISOString(),
      properties: { plan: b.plan },
    });
    await seedEvents(
      projectId,
      b.days.flatMap((n) => [at('$pageview', n, 0), at('buy', n, 60_000)]),
    );
  }
});

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"');

describe('dashboard pages', () => {
  it("opens every number of a filtered dashboard's tiles to its persons, from the stored query", async () => {
    const app = `/app/projects/${projectId}`;
    const rest = `/api/projects/${projectId}`;
    const range = { date_from: '-7d' };
    // Queries the insights page's form cannot express (a series' custom name, a PostHog display).
    const queries = [
      {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: 'buy', math: 'dau', custom_name: 'Buyers' }],
        interval: 'day',
        dateRange: range,
      },
      {
        kind: 'FunnelsQuery',
        series: [
          { kind: 'EventsNode', event: '$pageview' },
          { kind: 'EventsNode', event: 'buy' },
        ],
        dateRange: range,
      },
      {
        kind: 'RetentionQuery',
        retentionFilter: {
          targetEntity: { id: '$pageview', type: 'events' },
          returningEntity: { id: '$pageview', type: 'events' },
          period: 'Day',
          totalIntervals: 5,
        },
      },
    ];
    const board = (await (
      await api(`${rest}/dashboards/`, {
        method: 'POST',
        json: {
          name: 'Pro',
          filters: { properties: [{ key: 'plan', value: 'pro', operator: 'exact', type: 'event' }] },
        },
      })
    ).json()) as Json;
    for (const source of queries) {
      const res = await api(`${rest}/insights/`, {
        method: 'POST',
        json: { name: source.kind, query: { kind: 'InsightVizNode', source }, dashboards: [board.id] },
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    const html = await (await get(`${app}/dashboards/${board.id}?refresh=1`)).text();
    const links = [...html.matchAll(/<a href="([^"]*\/tiles\/\d+\/actors\?[^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({
      href: decode(m[1]!),
      text: m[2]!.trim(),
    }));
    const proPersons = buyers.filter((b) => b.plan === 'pro').map((b) => personOf.get(b.distinctId)!);
    const kinds = new Set<string>();
    let trendCells = 0;
    for (const link of links) {
      const res = await get(link.href);
      expect(res.status, link.href).toBe(200);
      const body = await res.text();
      const count = Number(/data-testid="actors-count">(\d+)/.exec(body)![1]);
      const persons = [...body.matchAll(/data-person="([^"]+)"/g)].map((m) => m[1]!);
      expect(persons.length, link.href).toBe(count);
      // Only the dashboard's filter's persons: the free plan's buyer is never behind a number.
      for (const person of persons) expect(proPersons, link.href).toContain(person);
      const params = new URL(link.href, 'http://x').searchParams;
      if (params.has('day')) {
        trendCells += 1;
        kinds.add('trend');
        expect(count, link.href).toBe(Number(link.text));
        const day = params.get('day')!;
        const expected = buyers
          .filter((b) => b.plan === 'pro' && b.days.some((n) => dayAgo(n).slice(0, 10) === day))
          .map((b) => personOf.get(b.distinctId)!);
        expect(persons.sort(), day).toEqual(expected.sort());
      } else if (params.has('step')) {
        kinds.add('funnel');
        expect(count, link.href).toBe(Number(/^\d+/.exec(link.text)![0]));
      } else if (params.has('cohort')) {
        kinds.add('retention');
        if (/^\d+$/.test(link.text)) expect(count, link.href).toBe(Number(link.text));
      }
    }
    expect([...kinds].sort()).toEqual(['funnel', 'retention', 'trend']);
    expect(trendCells).toBe(8);
    // The cells of the day both pro buyers bought on: 2, as the tile says.
    expect(links.some((l) => l.text === '2' && l.href.includes(`day=${dayAgo(2).slice(0, 10)}`))).toBe(true);

    // The number's URL carries only the number: anything else is refused, as is a tile not on this dashboard.
    const trendLink = links.find((l) => l.href.includes('day='))!.href;
    expect((await get(`${trendLink}&colour=red`)).status).toBe(400);
    expect((await get(trendLink.replace(/series=\d+/, 'series=many'))).status).toBe(400);
    expect((await get(trendLink.replace(/tiles\/\d+/, 'tiles/999999'))).status).toBe(404);

    // Shared, even with person ids shown, the numbers stay text.
    await post(`${app}/dashboards/${board.id}/share`, { action: 'enable', show_person_ids: 'yes' });
    const sharing = (await (await api(`${rest}/dashboards/${board.id}/sharing/`)).json()) as Json;
    expect(sharing.settings.showPersonIds).toBe(true);
    const shared = await (await get(`/app/shared/${projectId}/${sharing.access_token}`, false)).text();
    expect(shared).toContain('data-tile');
    expect(shared).not.toContain('/actors');
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
    // Dragged onto the text tile (dashboards.js posts this), the insight tile takes its place.
    const move = (onto: string | undefined) =>
      post(
        `${board}/tiles/${insightTile.id}/change`,
        onto === undefined ? { change: 'move' } : { change: 'move', onto },
      );
    expect((await move(String(textTile.id))).status).toBe(303);
    const moved = (await (await api(`/api/projects/${projectId}/dashboards/${dashboardId}/`)).json()) as Json;
    const movedCell = (id: number) => moved.tiles.find((t: Json) => t.id === id).layouts.sm;
    expect([movedCell(insightTile.id), movedCell(textTile.id)]).toEqual([
      { x: 0, y: 0, w: 6, h: 5 },
      { x: 0, y: 5, w: 8, h: 5 },
    ]);
    for (const bad of ['x', undefined]) expect((await move(bad)).status).toBe(400);
    expect((await post(`${board}/tiles/999999/change`, { change: 'earlier' })).status).toBe(404);
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
    expect(sharedHtml).not.toContain('draggable');
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
