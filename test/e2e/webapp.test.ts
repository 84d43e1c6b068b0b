// The web app (/app/) in headless Chromium: sign in, the persons and person pages after a
// scenario of anonymous visits, identify, alias, merges and a refused merge; the live events
// view; warnings; trends, funnel and retention against the query endpoint; a split from the
// page; hostile values shown literally; no console errors; no request to another origin; the
// same pages through a site that mounts the Worker under /ingest. Saves screenshots to docs/.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './lib/browser';
import { eventually, expectPersonsFor } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';
import { siteAndBrowser } from './lib/browser-suite';
import type { Site } from './lib/site';

const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_URL = 'javascript:alert(document.domain)';
const DOCS = path.resolve(import.meta.dirname, '../../docs');
const DAY = 86_400_000;

interface Watched {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  dialogs: string[];
  foreignRequests: string[];
  /** Every response the page loaded: url → gzipped size of its body (scripts only). */
  scripts: Map<string, number>;
}

/** A browser context that records console errors, dialogs, requests to other origins and the scripts it loads. */
async function watchedPage(browser: Browser, origin: string): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const w: Watched = { context, page, consoleErrors: [], dialogs: [], foreignRequests: [], scripts: new Map() };
  page.on('console', (m) => {
    if (m.type() === 'error') w.consoleErrors.push(`${m.text()} (at ${m.location().url})`);
  });
  page.on('pageerror', (err) => w.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('dialog', (d) => {
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('data:') || url === 'about:blank') return;
    if (new URL(url).origin !== origin) w.foreignRequests.push(url);
  });
  page.on('response', async (r) => {
    if (r.request().resourceType() !== 'script') return;
    try {
      w.scripts.set(r.url(), gzipSync(await r.body(), { level: 9 }).length);
    } catch {
      // A body the browser already dropped: not counted.
    }
  });
  return w;
}

function expectClean(w: Watched) {
  expect(w.consoleErrors, 'console errors').toEqual([]);
  expect(w.dialogs, 'dialogs (a hostile value must never run)').toEqual([]);
  expect(w.foreignRequests, 'requests to another origin').toEqual([]);
}

async function screenshot(page: Page, name: string) {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, `webapp-${name}.png`), fullPage: false });
}

async function signIn(page: Page, appUrl: string, key: string) {
  await page.goto(appUrl);
  await page.getByLabel('Personal API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects$/);
}

/** Sends events to capture's /batch/ as an SDK would, one request. */
async function send(ctx: SuiteContext, events: Record<string, unknown>[]) {
  const res = await fetch(`${ctx.baseUrl}/batch/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: ctx.project.api_token, batch: events.map((e) => ({ uuid: randomUUID(), ...e })) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function query(ctx: SuiteContext, q: unknown): Promise<{ results: unknown[] }> {
  return ctx.rest.request('POST', `/api/projects/${ctx.project.id}/query/`, { query: q });
}

describe('web app', () => {
  let ctx: SuiteContext;
  let browser: Browser;
  let w: Watched;
  let appUrl: string;
  let apiKey: string;
  const user = uniqueId('ada');
  const email = `${user}@example.com`;
  const other = uniqueId('grace');
  const anonA = randomUUID();
  const anonB = randomUUID();
  const anonC = randomUUID();
  const anonD = randomUUID();
  let personId = '';

  beforeAll(async () => {
    ctx = await freshProject('webapp');
    apiKey = inject('service').apiKey;
    appUrl = `${ctx.baseUrl}/app/`;
    browser = await launchChromium();
    w = await watchedPage(browser, ctx.baseUrl);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('a wrong key gets a clear message; the right key signs in', async () => {
    const { page } = w;
    await page.goto(appUrl);
    await page.getByLabel('Personal API key').fill('phx_not_the_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That is not the personal API key');
    await screenshot(page, 'sign-in');
    // The browser logs the wrong key's 401 answer; that one is expected.
    expect(w.consoleErrors).toEqual([expect.stringMatching(/status of 401 .*\/app\/login/)]);
    w.consoleErrors.length = 0;
    await signIn(page, appUrl, apiKey);
    const cookies = await w.context.cookies();
    const session = cookies.find((c) => c.name === 'phe_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/app/' });
    expect(session!.expires).toBeGreaterThan(Date.now() / 1000);
  });

  it('ingests a scenario: anonymous visits, identify, alias, merge_dangerously, a refused merge, hostile values', async () => {
    // Anonymous visits on three devices, then funnel and trend events over the last days.
    await send(ctx, [
      {
        event: '$pageview',
        distinct_id: anonA,
        timestamp: ago(3 * DAY),
        properties: { $current_url: 'https://shop.test/', $browser: 'Chrome' },
      },
      {
        event: '$pageview',
        distinct_id: anonA,
        timestamp: ago(2 * DAY),
        properties: { $current_url: 'https://shop.test/pricing', $browser: 'Chrome' },
      },
      { event: '$pageview', distinct_id: anonB, timestamp: ago(2 * DAY), properties: { $browser: 'Safari' } },
      { event: '$pageview', distinct_id: anonD, timestamp: ago(2 * DAY), properties: { $browser: 'Firefox' } },
      { event: '$pageview', distinct_id: anonC, timestamp: ago(3 * DAY), properties: { $browser: 'Firefox' } },
    ]);
    await eventually(async () => expect((await ctx.api.events()).length).toBe(5));
    await send(ctx, [
      {
        event: '$identify',
        distinct_id: user,
        timestamp: ago(2 * DAY - 60_000),
        properties: { $anon_distinct_id: anonA, $set: { email, name: 'Ada' } },
      },
      {
        event: '$identify',
        distinct_id: other,
        timestamp: ago(3 * DAY - 60_000),
        properties: { $anon_distinct_id: anonC, $set: { email: `${other}@example.com` } },
      },
    ]);
    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [anonA, user].sort(), is_identified: true }]);
    await expectPersonsFor(ctx.api, other, [{ distinct_ids: [anonC, other].sort(), is_identified: true }]);
    await send(ctx, [{ event: '$create_alias', distinct_id: user, timestamp: ago(DAY), properties: { alias: anonB } }]);
    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [anonA, anonB, user].sort(), is_identified: true }]);
    await send(ctx, [
      { event: '$merge_dangerously', distinct_id: user, timestamp: ago(DAY - 60_000), properties: { alias: anonD } },
    ]);
    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [anonA, anonB, anonD, user].sort(), is_identified: true }]);
    // other is identified: identify(user) with $anon_distinct_id=other is refused.
    await send(ctx, [
      {
        event: '$identify',
        distinct_id: user,
        timestamp: ago(DAY - 120_000),
        properties: { $anon_distinct_id: other },
      },
    ]);
    await eventually(async () =>
      expect((await ctx.api.warnings()).map((x) => x.type)).toContain('cannot_merge_already_identified'),
    );
    await send(ctx, [
      { event: 'signed_up', distinct_id: user, timestamp: ago(2 * DAY - 30_000) },
      { event: 'purchase', distinct_id: user, timestamp: ago(DAY - 30_000), properties: { amount: 30 } },
      { event: 'signed_up', distinct_id: other, timestamp: ago(3 * DAY - 30_000) },
      { event: '$pageview', distinct_id: user, timestamp: ago(60_000) },
      { event: '$pageview', distinct_id: other, timestamp: ago(DAY) },
      {
        event: HOSTILE,
        distinct_id: HOSTILE,
        timestamp: ago(30_000),
        properties: { $current_url: HOSTILE_URL, [HOSTILE]: HOSTILE, $set: { email: HOSTILE, website: HOSTILE_URL } },
      },
    ]);
    await eventually(async () => expect((await ctx.api.events()).length).toBe(16));
    personId = (await ctx.api.personsByDistinctId(user))[0]!.uuid;
  });

  it('projects: the token and snippets for this instance', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects`);
    await page.getByRole('link', { name: ctx.project.name }).click();
    await page.getByRole('link', { name: 'Project', exact: true }).click();
    await expect.poll(() => page.locator('code.token').first().textContent()).toBe(ctx.project.api_token);
    const snippets = await page.locator('pre.snippet').allTextContents();
    expect(snippets.join('\n')).toContain(`api_host: "${ctx.baseUrl}/ingest"`);
    expect(snippets.join('\n')).toContain(`host: "${ctx.baseUrl}/ingest"`);
    await screenshot(page, 'project');
  });

  it('persons: search by email finds the merged person with its ids and last seen', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons`);
    await screenshot(page, 'persons');
    await page.getByLabel('Email, name or any id').fill(email);
    await page.getByRole('button', { name: 'Search' }).click();
    const rows = page.locator('table.persons tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    const cells = await rows.first().locator('td').allTextContents();
    // Headed by PostHog's display name (the email), the identified distinct id beside it.
    expect(cells[0]).toContain(email);
    expect(cells[1]).toBe(user);
    expect(cells[2]).toBe('4');
    expect(cells[3]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // A property filter.
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons?key=name&op=exact&value=Ada`);
    await expect.poll(() => rows.count()).toBe(1);
  });

  it('person: ids, properties, merge history with the refused merge, events expandable', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons/${personId}`);
    expect(await page.locator('ul.ids li').allTextContents()).toEqual(
      expect.arrayContaining([anonA, anonB, anonD, user]),
    );
    const titles = await page.locator('ol.timeline li strong').allTextContents();
    expect(titles).toEqual(['Created', 'Ids joined', 'Merged', 'Merged', 'Merge refused']);
    const refused = await page.locator('ol.timeline li.refused').textContent();
    expect(refused).toContain(other);
    expect(refused).toContain('cannot_merge_already_identified');
    const merged = await page.locator('ol.timeline li.merged').allTextContents();
    expect(merged[0]).toContain('$create_alias');
    expect(merged[1]).toContain('$merge_dangerously');
    await screenshot(page, 'person');
    // Events: newest first, and each expands to its properties.
    const first = page.locator('ol.events li').first();
    expect(await first.locator('summary .name').textContent()).toBe('$pageview');
    await first.locator('summary').click();
    await expect.poll(() => first.locator('table.props').isVisible()).toBe(true);
    // The history links to the event that merged.
    await page.locator('ol.timeline li.merged').first().getByRole('link', { name: 'event' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('$create_alias');
  });

  it('events: the live view shows a new event without a reload', async () => {
    const { page } = w;
    const marker = uniqueId('live');
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/events?distinct_id=${encodeURIComponent(user)}`);
    const before = await page.locator('#event-list li').count();
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    await send(ctx, [{ event: marker, distinct_id: user, timestamp: new Date().toISOString() }]);
    await expect
      .poll(() => page.locator('#event-list li .name').first().textContent(), { timeout: 30_000 })
      .toBe(marker);
    expect(await page.locator('#event-list li').count()).toBe(before + 1);
    expect(navigations, 'no reload').toEqual([]);
    await page.locator('#event-list li summary').nth(1).click();
    await screenshot(page, 'events');
  });

  it('warnings: by type, linking to the event and the persons', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/warnings?type=cannot_merge_already_identified`);
    const row = page.locator('table.warnings tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('dd a').allTextContents()).toEqual(expect.arrayContaining([other, user]));
    await screenshot(page, 'warnings');
    await row.getByRole('link', { name: 'event' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('$identify');
  });

  it('hostile values are shown as text and never run', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons?q=${encodeURIComponent('<img')}`);
    await expect.poll(() => page.locator('table.persons tbody tr').count()).toBe(1);
    expect(await page.locator('table.persons tbody a.person-name').first().textContent()).toBe(HOSTILE);
    await page.locator('table.persons tbody a').first().click();
    expect(await page.locator('h1').textContent()).toBe(HOSTILE);
    expect(await page.locator('table.props').first().textContent()).toContain(HOSTILE_URL);
    await page.locator('ol.events li summary').first().click();
    expect(await page.locator('ol.events li table.props').first().textContent()).toContain(HOSTILE);
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/events?event=${encodeURIComponent(HOSTILE)}`);
    expect(await page.locator('#event-list li .name').first().textContent()).toBe(HOSTILE);
    // Let the live view poll once, so its client-built rows are checked too.
    await page.waitForTimeout(2500);
    expect(await page.locator('img').count(), 'no <img> element anywhere').toBe(0);
    expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
    expectClean(w);
  });

  it('trends: the plotted numbers equal the query endpoint, line and bar', async () => {
    const { page } = w;
    const url = `${ctx.baseUrl}/app/projects/${ctx.project.id}/insights?kind=trends&event=%24pageview&math=total&event=purchase&math=dau&interval=day&date_from=-7d`;
    w.scripts.clear();
    await page.goto(url);
    await page.locator('#trend-chart canvas').first().waitFor();
    const plotted = JSON.parse((await page.locator('#trend-chart').getAttribute('data-plotted'))!) as number[][];
    const sentQuery = JSON.parse((await page.locator('details.query-json pre').textContent())!).query;
    const answer = (await query(ctx, sentQuery)) as { results: { data: number[] }[] };
    expect(plotted).toEqual(answer.results.map((r) => r.data));
    expect(plotted[0]!.reduce((a, b) => a + b, 0)).toBe(7);
    expect(plotted[1]!.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await page.locator('#trend-legend .series-name').allTextContents()).toEqual([
      '$pageview — total count',
      'purchase — unique users',
    ]);
    const table = await page.locator('table.trends-table tbody tr').first().locator('td').allTextContents();
    expect(table.slice(1).map(Number)).toEqual(answer.results[0]!.data);
    await screenshot(page, 'trends');
    // The URL is the query: the same page in a fresh visit plots the same numbers, as bars.
    await page.goto(url.replace('date_from=-7d', 'date_from=-7d&display=bar'));
    await page.locator('#trend-chart svg.bars').waitFor();
    expect(await page.locator('#trend-chart svg rect').count()).toBe(plotted.flat().length);
    expect(JSON.parse((await page.locator('#trend-chart').getAttribute('data-plotted'))!)).toEqual(plotted);
    // JavaScript the trends page loads (uPlot included), gzipped.
    const total = [...w.scripts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[webapp] scripts loaded by the trends page: ${[...w.scripts.keys()].map((u) => new URL(u).pathname).join(', ')}; ${total} bytes gzipped`,
    );
    expect(total).toBeLessThan(150 * 1024);
    expectClean(w);
  });

  it('funnel: step bars with the endpoint’s counts', async () => {
    const { page } = w;
    await page.goto(
      `${ctx.baseUrl}/app/projects/${ctx.project.id}/insights?kind=funnels&event=%24pageview&event=signed_up&event=purchase&date_from=-7d`,
    );
    const sentQuery = JSON.parse((await page.locator('details.query-json pre').textContent())!).query;
    const answer = (await query(ctx, sentQuery)) as { results: { count: number }[] };
    const labels = await page.locator('ol.funnel .bar .label').allTextContents();
    expect(labels.map((l) => Number(l.split(' ')[0]))).toEqual(answer.results.map((s) => s.count));
    expect(answer.results.map((s) => s.count)).toEqual([2, 2, 1]);
    await screenshot(page, 'funnel');
  });

  it('retention: a cohort table shaded by value, with the endpoint’s counts', async () => {
    const { page } = w;
    await page.goto(
      `${ctx.baseUrl}/app/projects/${ctx.project.id}/insights?kind=retention&target=%24pageview&returning=%24pageview&period=Day&intervals=5`,
    );
    const sentQuery = JSON.parse((await page.locator('details.query-json pre').textContent())!).query;
    const answer = (await query(ctx, sentQuery)) as { results: { values: { count: number }[] }[] };
    const rows = page.locator('table.retention tbody tr');
    await expect.poll(() => rows.count()).toBe(answer.results.length);
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td[data-count]')].map((td) => Number(td.getAttribute('data-count')))),
    );
    expect(shown).toEqual(answer.results.map((r) => r.values.map((v) => v.count)));
    expect(shown.flat().some((n) => n > 0)).toBe(true);
    await screenshot(page, 'retention');
    expectClean(w);
  });

  it('split a person from the page: each other id gets a person of its own', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons/${personId}`);
    await page.getByLabel('Keep on this person').selectOption(user);
    await page.locator('form[action$="/split"] input[name="confirm"]').check();
    await page.getByRole('button', { name: 'Split person' }).click();
    await expect.poll(() => page.locator('.flash').textContent()).toContain('Split done');
    expect(await page.locator('ul.ids li').allTextContents()).toEqual([user]);
    expect(await page.locator('ol.timeline li.split').count()).toBe(3);
    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [user], is_identified: true }]);
    for (const anon of [anonA, anonB, anonD])
      await expectPersonsFor(ctx.api, anon, [{ distinct_ids: [anon], is_identified: false }]);
    expectClean(w);
  });

  it('persons: 100 rows a page, keyboard reachable; server time reported', async () => {
    const { page } = w;
    const many = Array.from({ length: 120 }, (_, i) => ({
      event: '$pageview',
      distinct_id: `bulk-${i}-${randomUUID()}`,
      timestamp: ago(i * 60_000),
      properties: { $set: { email: `bulk-${i}@example.com` } },
    }));
    await send(ctx, many);
    await eventually(async () => expect((await ctx.api.persons()).length).toBeGreaterThanOrEqual(123));
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons`);
      timings.push(Number(/dur=(\d+)/.exec((await res!.headerValue('server-timing')) ?? '')?.[1]));
    }
    console.log(`[webapp] persons page (100 rows) server time, 5 loads: ${timings.join(', ')} ms`);
    expect(await page.locator('table.persons tbody tr').count()).toBe(100);
    expect(await page.getByRole('link', { name: 'Older →' }).count()).toBe(1);
    // Keyboard only: Tab to the search field, type, Enter.
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement
            .textContent,
      ),
    ).toBe('Skip to content');
    let focused = '';
    for (let i = 0; i < 15 && focused !== 'q'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(
        () =>
          (
            globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }
          ).document.activeElement.getAttribute('name') ?? '',
      );
    }
    expect(focused).toBe('q');
    await page.keyboard.type('bulk-7@example.com');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=bulk-7/);
    expect(await page.locator('table.persons tbody tr').count()).toBe(1);
  });

  it('narrow phone width: the persons page fits without horizontal scrolling of the page', async () => {
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
    await phone.addCookies(await w.context.cookies());
    const page = await phone.newPage();
    await page.goto(`${ctx.baseUrl}/app/projects/${ctx.project.id}/persons/${personId}`);
    const overflow = await page.evaluate(() => {
      const root = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(DOCS, 'webapp-person-phone.png') });
    await phone.close();
  });

  it('sign out ends the session', async () => {
    const { page } = w;
    await page.goto(`${ctx.baseUrl}/app/projects`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${ctx.baseUrl}/app/`);
    await page.goto(`${ctx.baseUrl}/app/projects`);
    expect(page.url()).toBe(`${ctx.baseUrl}/app/`);
    expectClean(w);
  });
});

describe('web app mounted under /ingest on a site', () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;

  siteAndBrowser('webapp-mounted', { sdk: 'bundled' }, (s) => ({ ctx, site, browser } = s));

  it('signs in, lists persons and shows live events through https://site/ingest/app/', async () => {
    const w = await watchedPage(browser, site.origin);
    const { page } = w;
    const distinctId = uniqueId('mounted');
    await send(ctx, [
      { event: 'hello', distinct_id: distinctId, properties: { $set: { email: `${distinctId}@example.com` } } },
    ]);
    await expectPersonsFor(ctx.api, distinctId, [{ distinct_ids: [distinctId], is_identified: false }]);
    await signIn(page, `${site.origin}/ingest/app/`, inject('service').apiKey);
    const session = (await w.context.cookies()).find((c) => c.name === 'phe_session');
    expect(session?.path).toBe('/ingest/app/');
    await page.goto(`${site.origin}/ingest/app/projects/${ctx.project.id}/persons`);
    expect(await page.locator('table.persons tbody a.person-name').first().textContent()).toBe(
      `${distinctId}@example.com`,
    );
    await page.locator('table.persons tbody a').first().click();
    expect(page.url()).toMatch(new RegExp(`^${site.origin}/ingest/app/projects/${ctx.project.id}/persons/`));
    await page.goto(`${site.origin}/ingest/app/projects/${ctx.project.id}/events`);
    await send(ctx, [{ event: 'mounted_live', distinct_id: distinctId }]);
    await expect
      .poll(() => page.locator('#event-list li .name').first().textContent(), { timeout: 30_000 })
      .toBe('mounted_live');
    await page.goto(`${site.origin}/ingest/app/projects/${ctx.project.id}`);
    expect((await page.locator('pre.snippet').allTextContents()).join('\n')).toContain(
      `api_host: "${site.origin}/ingest"`,
    );
    // A mutation through the site: create a project.
    await page.goto(`${site.origin}/ingest/app/projects`);
    const name = uniqueId('through-site');
    await page.getByLabel('Name').fill(name);
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(name);
    expectClean(w);
    await w.context.close();
  });
});
