// The web app's pickers, charts, empty states and phone width in headless Chromium: event and property names offered
// from the project's data and a typo flagged; events filtered by a property (the rows equal the query endpoint's);
// trend axes with whole-number ticks and date labels that never touch, the math in the legend, hover values; an empty
// project's snippet and its "waiting for the first event" check flipping when an event arrives; the project's
// figures; and every page at 390 px and 1280 px without sideways scrolling of the page itself.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, signInApp } from './lib/browser';
import { eventually } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';

const DOCS = path.resolve(import.meta.dirname, '../../docs');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

let ctx: SuiteContext;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const people = { ann: uniqueId('ann'), bob: uniqueId('bob'), cy: uniqueId('cy') };
const email = (who: keyof typeof people) => `${people[who]}@a-rather-long-domain-name.example.com`;
const BROWSER = { ann: 'Chrome', bob: 'Safari', cy: 'Safari' } as const;
const sent: { event: string; distinct_id: string; timestamp: string; properties?: Record<string, unknown> }[] = [];

async function send(token: string, events: Record<string, unknown>[]) {
  const res = await fetch(`${ctx.baseUrl}/batch/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch: events.map((e) => ({ uuid: randomUUID(), ...e })) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Ten days of visits: each person's $pageviews (with their browser), ann's purchases, a group, a refused merge. */
function scenario() {
  for (const who of ['ann', 'bob', 'cy'] as const) {
    const anon = randomUUID();
    sent.push(
      { event: '$pageview', distinct_id: anon, timestamp: ago(10 * DAY), properties: { $browser: BROWSER[who] } },
      {
        event: '$identify',
        distinct_id: people[who],
        timestamp: ago(10 * DAY - 60_000),
        properties: { $anon_distinct_id: anon, $set: { email: email(who) } },
      },
    );
    for (let d = 0; d < 10; d++)
      if (who !== 'cy' || d % 2 === 0)
        sent.push({
          event: '$pageview',
          distinct_id: people[who],
          timestamp: ago(d * DAY + 3_600_000),
          properties: { $browser: BROWSER[who], $current_url: `https://shop.test/${who}/${d}?utm_source=newsletter` },
        });
  }
  for (const d of [1, 4, 7])
    sent.push({ event: 'purchase', distinct_id: people.ann, timestamp: ago(d * DAY), properties: { amount: 30 } });
  sent.push(
    {
      event: '$groupidentify',
      distinct_id: people.ann,
      timestamp: ago(DAY),
      properties: { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme Incorporated' } },
    },
    { event: '$identify', distinct_id: people.bob, timestamp: ago(DAY), properties: { $anon_distinct_id: people.ann } },
  );
  return sent;
}

beforeAll(async () => {
  ctx = await freshProject('web-app-pickers');
  await send(ctx.project.api_token, scenario());
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('console', (m) => {
    // A page answering 400 on purpose logs its status; nothing else may.
    if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('data:') && new URL(r.url()).origin !== ctx.baseUrl) problems.push(`foreign: ${r.url()}`);
  });
  await eventually(async () => expect((await ctx.api.events()).length).toBe(sent.length));
  await signInApp(page, ctx.baseUrl, inject('service').apiKey);
});
afterAll(async () => {
  await browser?.close();
});

const app = (p: string) => `${ctx.baseUrl}/app/projects/${ctx.project.id}${p}`;
const optionsOf = (id: string) =>
  page.locator(`datalist#${id} option`).evaluateAll((os) => os.map((o) => [o.getAttribute('value'), o.label]));

describe('pickers', () => {
  it('offer the event and property names of the data, with types; a typo is flagged as typed and after Show', async () => {
    await page.goto(app('/insights?kind=trends'));
    expect((await optionsOf('picker-event')).map(([v]) => v)).toEqual(
      expect.arrayContaining(['$pageview', 'purchase', '$identify', '$groupidentify']),
    );
    expect(await optionsOf('picker-event_property')).toEqual(
      expect.arrayContaining([
        ['$browser', 'String'],
        ['amount', 'Numeric'],
      ]),
    );
    expect(await optionsOf('picker-person_property')).toEqual(expect.arrayContaining([['email', 'String']]));
    const series = page.getByLabel('Series 1 event');
    await series.fill('$pagevieww');
    await series.press('Tab');
    await expect
      .poll(() => page.locator('.unknown-note').first().textContent())
      .toBe('No events named “$pagevieww” in this project.');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/event=%24pagevieww/);
    expect(await page.locator('ul.unknown-names li').allTextContents()).toEqual([
      'No events named “$pagevieww” in this project.',
    ]);
  });

  it('the events page filters by event and a property picked with its type and example values', async () => {
    await page.goto(app('/events'));
    await page.getByLabel('Event', { exact: true }).fill('$pageview');
    const key = page.getByLabel('Property key');
    await key.fill('$browser');
    await key.press('Tab');
    // Safari: bob's and cy's visits outnumber ann's Chrome ones.
    await expect.poll(() => page.locator('#filter-key-hint').textContent()).toBe('String · e.g. Safari, Chrome');
    expect(
      await page.locator('datalist#picker-values option').evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
    ).toEqual(['Safari', 'Chrome']);
    await page.getByLabel('Operator').selectOption('exact');
    await page.getByLabel('Property value').fill('Safari');
    await page.screenshot({ path: path.join(DOCS, 'webapp-events-filter.png') });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/key=%24browser/);
    const browsers = await page.locator('#event-list li summary .browser').allTextContents();
    const expected = sent.filter((e) => e.event === '$pageview' && e.properties?.$browser === 'Safari');
    expect(browsers).toEqual(expected.map(() => 'Safari'));
    const answer = await ctx.rest.request<{ results: unknown[] }>('POST', `/api/projects/${ctx.project.id}/query/`, {
      query: {
        kind: 'EventsQuery',
        select: ['uuid'],
        event: '$pageview',
        after: 'all',
        properties: [{ key: '$browser', operator: 'exact', value: 'Safari', type: 'event' }],
      },
    });
    expect(answer.results.length).toBe(browsers.length);
  });
});

interface Tick {
  label: string;
  x: number;
  width: number;
}

/** Neighbouring date labels leave room between them. */
function expectApart(ticks: Tick[]) {
  expect(ticks.length).toBeGreaterThan(1);
  for (let i = 1; i < ticks.length; i++)
    expect(ticks[i - 1]!.x + ticks[i - 1]!.width / 2, `${ticks[i - 1]!.label} / ${ticks[i]!.label}`).toBeLessThan(
      ticks[i]!.x - ticks[i]!.width / 2,
    );
}

describe('trend charts', () => {
  const trends = () =>
    app('/insights?kind=trends&event=%24pageview&math=dau&event=purchase&math=total&interval=day&date_from=-14d');

  for (const width of [1280, 390]) {
    it(`at ${width} px: the math in the legend, whole-number ticks, labels apart, hover values, a scrolling table`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(trends());
      await page.locator('#trend-chart canvas').first().waitFor();
      expect(await page.locator('#trend-legend .series-name').allTextContents()).toEqual([
        '$pageview — unique users',
        'purchase — total count',
      ]);
      const chart = page.locator('#trend-chart');
      const yTicks = JSON.parse((await chart.getAttribute('data-y-ticks'))!) as string[];
      // Three unique users at most: 0, 1, 2, 3.
      expect(yTicks).toEqual(['0', '1', '2', '3']);
      expectApart(JSON.parse((await chart.getAttribute('data-x-ticks'))!) as Tick[]);
      const data = JSON.parse((await chart.getAttribute('data-chart'))!) as {
        labels: string[];
        series: { data: number[] }[];
      };
      await chart.scrollIntoViewIfNeeded();
      const box = (await page.locator('#trend-chart canvas').first().boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
      const day = await page.locator('#trend-legend .hover-label').textContent();
      const index = data.labels.indexOf(day!);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(await page.locator('#trend-legend .hover-value').allTextContents()).toEqual(
        data.series.map((s) => String(s.data[index])),
      );
      const heads = await page
        .locator('table.trends-table thead th')
        .evaluateAll((ths) => ths.map((th) => th.clientHeight));
      expect(Math.max(...heads)).toBe(Math.min(...heads));
      if (width === 390) {
        const scroller = await page
          .locator('.scroll:has(table.trends-table)')
          .evaluate((el) => el.scrollWidth > el.clientWidth);
        expect(scroller, 'the table scrolls inside its box').toBe(true);
        await page.screenshot({ path: path.join(DOCS, 'webapp-trends-phone.png'), fullPage: true });
      }
      // Bars: the same ticks, drawn as SVG text.
      await page.goto(`${trends()}&display=bar`);
      await page.locator('#trend-chart svg.bars').waitFor();
      expect(await page.locator('#trend-chart text.y-tick').allTextContents()).toEqual(['0', '1', '2', '3']);
      expectApart(
        await page.locator('#trend-chart text.x-tick').evaluateAll((texts) =>
          texts.map((t) => {
            const b = (t as unknown as { getBBox(): { x: number; width: number } }).getBBox();
            return { label: t.textContent ?? '', x: b.x + b.width / 2, width: b.width };
          }),
        ),
      );
    });
  }
});

describe('an empty project', () => {
  it('shows its snippet and announces the first event when it arrives; the project page shows its figures', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const empty = await ctx.rest.createProject(uniqueId('empty'));
    await page.goto(`${ctx.baseUrl}/app/projects/${empty.id}/insights`);
    expect(await page.locator('#trend-chart').count()).toBe(0);
    const snippets = (await page.locator('.first-event pre.snippet').allTextContents()).join('\n');
    expect(snippets).toContain(`posthog.init("${empty.api_token}", { api_host: "${ctx.baseUrl}/ingest"`);
    expect(snippets).toContain(`curl -X POST ${ctx.baseUrl}/ingest/i/v0/e/`);
    const status = page.locator('#first-event-status');
    expect(await status.textContent()).toBe('Waiting for the first event…');
    await page.screenshot({ path: path.join(DOCS, 'webapp-empty-project.png') });
    await send(empty.api_token, [{ event: 'hello', distinct_id: uniqueId('first') }]);
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toBe('First event received: “hello”. Reload to see it');
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}`);
    const storage = (
      await ctx.rest.request<{ storage: { events: number; persons: number } }>(
        'GET',
        `/api/projects/${ctx.project.id}/`,
      )
    ).storage;
    expect(await page.locator('[data-figure="events"]').textContent()).toBe(storage.events.toLocaleString('en-US'));
    expect(await page.locator('[data-figure="persons"]').textContent()).toBe(storage.persons.toLocaleString('en-US'));
    expect(storage.events).toBe(sent.length);
    expect(await page.locator('[data-figure="bytes"]').textContent()).toMatch(/^\d+(\.\d)? (kB|MB)$/);
  });
});

describe('every page at phone and desktop width', () => {
  it('no sideways scrolling of the page itself at 390 px and 1280 px', async () => {
    const [ann] = await ctx.api.personsByDistinctId(people.ann);
    const [event] = await ctx.api.events();
    const query = {
      kind: 'InsightVizNode',
      source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }] },
    };
    const insight = await ctx.rest.request<{ id: number }>('POST', `/api/projects/${ctx.project.id}/insights/`, {
      name: 'Visitors',
      query,
    });
    const dashboard = await ctx.rest.request<{ id: number }>('POST', `/api/projects/${ctx.project.id}/dashboards/`, {
      name: 'Growth',
    });
    await ctx.rest.request('PATCH', `/api/projects/${ctx.project.id}/insights/${insight.id}/`, {
      dashboards: [dashboard.id],
    });
    const sharing = await ctx.rest.request<{ access_token: string }>(
      'PATCH',
      `/api/projects/${ctx.project.id}/dashboards/${dashboard.id}/sharing/`,
      { enabled: true },
    );
    const trend = '/insights?kind=trends&event=%24pageview&math=dau&event=purchase&date_from=-14d';
    const pages = [
      `${ctx.baseUrl}/app/projects`,
      app(''),
      app('/persons'),
      app(`/persons/${ann!.uuid}`),
      app('/groups'),
      app('/groups/0/acme'),
      app('/events'),
      app(`/events/${event!.id}`),
      app('/warnings'),
      app(trend),
      app(`${trend}&display=bar`),
      app('/insights?kind=funnels&event=%24pageview&event=purchase&date_from=-14d'),
      app('/insights?kind=retention&target=%24pageview&returning=%24pageview&period=Day&intervals=8'),
      app(
        `/insights/actors?kind=trends&event=%24pageview&math=dau&date_from=-14d&series=0&day=${ago(DAY).slice(0, 10)}`,
      ),
      app('/insights/saved'),
      app(`/insights/saved/${insight.id}`),
      app('/dashboards'),
      app(`/dashboards/${dashboard.id}`),
      `${ctx.baseUrl}/app/shared/${ctx.project.id}/${sharing.access_token}`,
    ];
    const signedOut = await browser.newContext();
    const overflowing: string[] = [];
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 844 });
      const visits: [Page, string][] = [
        ...pages.map((url): [Page, string] => [page, url]),
        [await signedOut.newPage(), `${ctx.baseUrl}/app/`],
      ];
      for (const [p, url] of visits) {
        await p.setViewportSize({ width, height: 844 });
        const res = await p.goto(url);
        expect(res?.status(), url).toBe(200);
        const scrollWidth = await p.evaluate<number>('document.scrollingElement.scrollWidth');
        if (scrollWidth > width) overflowing.push(`${url} at ${width} px: ${scrollWidth} px wide`);
        // Times and person names (emails) keep to one line: an inline element on several lines has several boxes.
        const broken = await p.evaluate<string[]>(
          `[...document.querySelectorAll('time, a.person-name')].filter((e) => e.getClientRects().length > 1).map((e) => e.textContent)`,
        );
        if (broken.length > 0) overflowing.push(`${url} at ${width} px breaks ${broken.join(', ')}`);
      }
    }
    await signedOut.close();
    expect(overflowing).toEqual([]);
    expect(problems).toEqual([]);
  });
});
