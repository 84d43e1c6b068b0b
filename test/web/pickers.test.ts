// The web app's pickers, property filters and empty states in workerd: names offered from the project's definitions,
// names it never received flagged, example values, the events page's property filter paged through the query engine
// (compared with a plain model), and an empty project's snippet and first-event check.
import { beforeAll, describe, expect, it } from 'vitest';
import { recordDefinitions } from '../../src/definitions/record';
import { dbFor, fetchWorker, getJson, newProject, page, seedEvents, seedPerson, signIn, decodeHtml } from '../support';

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

interface Sent {
  uuid: string;
  event: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

let cookie: string;
let projectId: number;
const sent: Sent[] = [];

beforeAll(async () => {
  cookie = await signIn();
  projectId = (await newProject('pickers')).id;
  const browsers = ['Chrome', 'Safari', 'Firefox'];
  // 120 events, five at each time, so the first page ends between events of the same time.
  for (let i = 0; i < 120; i++) {
    const timestamp = ago(DAY + Math.floor(i / 5) * 60_000);
    const event = i % 7 === 0 ? 'signed_up' : '$pageview';
    sent.push({ uuid: crypto.randomUUID(), event, timestamp, properties: { $browser: browsers[i % 3], n: i } });
  }
  await seedEvents(
    projectId,
    sent.map((e) => ({ ...e, distinctId: `u${(e.properties.n as number) % 4}` })),
  );
  for (const [i, plan] of ['pro', 'free', 'pro', ''].entries())
    await seedPerson(projectId, { distinctIds: [`u${i}`], properties: plan ? { plan } : {} });
  await recordDefinitions(
    await dbFor(projectId),
    projectId,
    [...sent, { event: '$identify', timestamp: ago(DAY), properties: { $set: { plan: 'pro' } } }],
    Date.now(),
  );
});

/** Every `<option>` of a datalist: value and label. */
function options(html: string, id: string): string[] {
  const list = new RegExp(`<datalist id="${id}"[^>]*>([\\s\\S]*?)</datalist>`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/<option value="([^"]*)"(?: label="([^"]*)")?/g)].map((m) =>
    m[2] ? `${decodeHtml(m[1]!)}: ${m[2]}` : decodeHtml(m[1]!),
  );
}

/** The notes flagging unknown names. */
const notes = (html: string) =>
  [...(/<ul class="unknown-names"[^>]*>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<li>([^<]*)<\/li>/g)].map(
    (m) => decodeHtml(m[1]!),
  );

describe('pickers', () => {
  it('offer the project’s event and property names, each property with its type', async () => {
    const { status, html } = await page(`/app/projects/${projectId}/insights?kind=trends`, cookie);
    expect(status).toBe(200);
    expect(options(html, 'picker-event').sort()).toEqual(['$identify', '$pageview', 'signed_up']);
    expect(options(html, 'picker-event_property')).toEqual(['$browser: String', 'n: Numeric']);
    expect(options(html, 'picker-person_property')).toEqual(['plan: String']);
    expect(html).toContain('<datalist id="picker-event" data-complete');
    expect(notes(html)).toEqual([]);
  });

  it('flag every name the project never received, on the insights and events pages', async () => {
    const insights = await page(
      `/app/projects/${projectId}/insights?kind=trends&event=%24pagevew&event=signed_up&breakdown=browser&prop_type=person&key=plan&op=exact&value=pro`,
      cookie,
    );
    expect(notes(insights.html)).toEqual([
      'No events named “$pagevew” in this project.',
      'No event property named “browser” in this project.',
    ]);
    const events = await page(
      `/app/projects/${projectId}/events?event=signed_up&prop_type=event&key=%24brwser&op=is_set`,
      cookie,
    );
    expect(notes(events.html)).toEqual(['No event property named “$brwser” in this project.']);
  });

  it('example values: most frequent first, from events or persons; bad parameters are a 400 naming them', async () => {
    const values = await fetchWorker(`/app/projects/${projectId}/property-values.json?type=event&key=%24browser`, {
      headers: { Cookie: cookie },
    });
    // 40 of each browser: ties in value order.
    expect(await values.json()).toEqual({
      results: [
        { value: 'Chrome', count: 40 },
        { value: 'Firefox', count: 40 },
        { value: 'Safari', count: 40 },
      ],
    });
    const persons = await fetchWorker(`/app/projects/${projectId}/property-values.json?type=person&key=plan`, {
      headers: { Cookie: cookie },
    });
    expect(await persons.json()).toEqual({
      results: [
        { value: 'pro', count: 2 },
        { value: 'free', count: 1 },
      ],
    });
    for (const [query, field] of [
      ['type=event', 'key'],
      ['type=group&key=x', 'type'],
      ['type=event&key=x&limit=5', 'limit'],
    ] as const) {
      const res = await fetchWorker(`/app/projects/${projectId}/property-values.json?${query}`, {
        headers: { Cookie: cookie },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toContain(field);
    }
  });
});

describe('events page: a property filter through the query engine', () => {
  const listed = (html: string) => [...html.matchAll(/<li class="event" data-uuid="([^"]+)"/g)].map((m) => m[1]!);
  const cursorOf = (html: string) => /href="[^"]*[?;]cursor=([^"&]+)[^"]*" rel="next"/.exec(html)?.[1];

  it('every matching event once, newest first, across pages that break inside equal timestamps', async () => {
    const newestFirst = [...sent].sort((a, b) =>
      a.timestamp === b.timestamp ? (a.uuid < b.uuid ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1,
    );
    const model = newestFirst.filter((e) => e.event === '$pageview' && e.properties.$browser !== 'Safari');
    expect(model.length).toBeGreaterThan(50);
    expect(model[49]!.timestamp).toBe(model[50]!.timestamp);
    const base = `/app/projects/${projectId}/events?event=%24pageview&prop_type=event&key=%24browser&op=is_not&value=Safari`;
    const seen: string[] = [];
    let url: string | undefined = base;
    while (url) {
      const { status, html } = await page(url, cookie);
      expect(status).toBe(200);
      seen.push(...listed(html));
      const cursor = cursorOf(html);
      url = cursor ? `${base}&cursor=${cursor}` : undefined;
    }
    expect(seen).toEqual(model.map((e) => e.uuid));
    const live = await fetchWorker(`${base.replace('/events?', '/events.json?')}`, { headers: { Cookie: cookie } });
    expect(((await live.json()) as { results: { id: string }[] }).results.map((e) => e.id)).toEqual(
      model.slice(0, 50).map((e) => e.uuid),
    );
  });

  it('a filter the engine refuses is a 400 with its message', async () => {
    const { status, html } = await page(
      `/app/projects/${projectId}/events?prop_type=event&key=n&op=gt&value=many`,
      cookie,
    );
    expect(status).toBe(400);
    expect(decodeHtml(html)).toContain('needs a number');
  });
});

describe('an empty project', () => {
  it('shows its snippet and waits for the first event; the project page states what it stores', async () => {
    const project = await newProject('empty');
    const insights = await page(`/app/projects/${project.id}/insights`, cookie);
    expect(insights.html).toContain('No events yet');
    expect(insights.html).toContain(project.api_token);
    expect(insights.html).not.toContain('id="trend-chart"');
    expect(insights.html).toContain('first-event.js');
    const check = () =>
      fetchWorker(`/app/projects/${project.id}/first-event.json`, { headers: { Cookie: cookie } }).then((r) =>
        r.json(),
      );
    expect(await check()).toEqual({ received: false });
    await seedEvents(project.id, [{ event: 'hello', distinctId: 'a', timestamp: ago(1000) }]);
    expect(await check()).toMatchObject({ received: true, event: 'hello' });
    const { storage } = await getJson<{ storage: { events: number; persons: number } }>(`/api/projects/${project.id}/`);
    const projectPage = await page(`/app/projects/${project.id}`, cookie);
    const figure = (name: string) => new RegExp(`data-figure="${name}"[^>]*>([^<]*)<`).exec(projectPage.html)?.[1];
    expect([figure('events'), figure('persons')]).toEqual([String(storage.events), String(storage.persons)]);
    expect(storage.events).toBe(1);
    expect(projectPage.html).not.toContain('first-event-status');
  });
});
