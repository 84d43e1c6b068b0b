// From a number to the people behind it, in headless Chromium: events sent as an SDK sends
// them (anonymous visits, $identify with $set email), then a trend cell, a funnel drop-off and
// a retention cell clicked on the insights page, each leading to exactly the expected people.
// Saves screenshots of the persons page to docs/ at 1280 and 390 px.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, signInApp } from './lib/browser';
import { eventually } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';

const DOCS = path.resolve(import.meta.dirname, '../../docs');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const dayAgo = (n: number) => ago(n * DAY).slice(0, 10);

let ctx: SuiteContext;
let browser: Browser;
let page: Page;
const people = { ann: uniqueId('ann'), bob: uniqueId('bob'), cy: uniqueId('cy') };
const email = (who: keyof typeof people) => `${people[who]}@example.com`;

async function send(events: Record<string, unknown>[]) {
  const res = await fetch(`${ctx.baseUrl}/batch/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: ctx.project.api_token, batch: events.map((e) => ({ uuid: randomUUID(), ...e })) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** An anonymous visit, then $identify with the email: one person with both ids. */
function visitor(who: keyof typeof people, extra: [string, number][]) {
  const anon = randomUUID();
  const id = people[who];
  return [
    { event: '$pageview', distinct_id: anon, timestamp: ago(2 * DAY + 60_000) },
    {
      event: '$identify',
      distinct_id: id,
      timestamp: ago(2 * DAY + 30_000),
      properties: { $anon_distinct_id: anon, $set: { email: email(who) } },
    },
    ...extra.map(([event, at]) => ({ event, distinct_id: id, timestamp: ago(at) })),
  ];
}

/** The people a persons page lists, by the name it heads them with (their email). */
async function listed(): Promise<string[]> {
  await page.locator('[data-testid="actors-count"]').waitFor();
  return (await page.locator('table.actors tbody th a').allTextContents()).sort();
}

describe('click-through from insights to persons', () => {
  beforeAll(async () => {
    ctx = await freshProject('actors');
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await send([
      ...visitor('ann', [
        ['signup', 2 * DAY],
        ['purchase', 2 * DAY - 60_000],
      ]),
      ...visitor('bob', [['signup', 2 * DAY]]),
      ...visitor('cy', [['$pageview', 1 * DAY]]),
    ]);
    await eventually(async () => {
      const persons = (await ctx.rest.request('GET', `/api/projects/${ctx.project.id}/persons/?limit=10`)) as {
        results: unknown[];
      };
      expect(persons.results.length).toBe(3);
    });
    await signInApp(page, ctx.baseUrl, inject('service').apiKey);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const insights = (params: string) => `${ctx.baseUrl}/app/projects/${ctx.project.id}/insights?${params}`;

  it('a trend cell: the unique users of that day', async () => {
    await page.goto(insights('kind=trends&event=%24pageview&math=dau&interval=day&date_from=-7d'));
    const cell = page.locator(`table.trends-table a[href*="day=${dayAgo(2)}"]`);
    expect(await cell.textContent()).toBe('3');
    await cell.click();
    expect(await listed()).toEqual([email('ann'), email('bob'), email('cy')].sort());
    expect(await page.locator('[data-testid="actors-count"]').textContent()).toMatch(/^3 persons/);
    await page.screenshot({ path: path.join(DOCS, 'webapp-actors.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(DOCS, 'webapp-actors-phone.png') });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('a funnel drop-off: who reached step 2 but not step 3', async () => {
    await page.goto(insights('kind=funnels&event=%24pageview&event=signup&event=purchase&date_from=-7d'));
    await page.getByRole('link', { name: '1 dropped off' }).last().click();
    expect(new URL(page.url()).searchParams.get('step')).toBe('-3');
    expect(await listed()).toEqual([email('bob')]);
    await page.goBack();
    await page.getByRole('link', { name: '1 dropped off' }).first().click();
    expect(await listed()).toEqual([email('cy')]);
  });

  it('a retention cell: the cohort members who came back the next day', async () => {
    await page.goto(
      insights(
        'kind=retention&target=%24pageview&returning=%24pageview&period=Day&intervals=5&retention_type=retention_recurring',
      ),
    );
    const row = page.locator('table.retention tbody tr', { has: page.locator(`th:text-is("${dayAgo(2)}")`) });
    await row.locator('a[href*="returned=1"]').click();
    expect(await listed()).toEqual([email('cy')]);
  });
});
