// posthog-js with `cookieless_mode` in headless Chromium, through the site's `/ingest` proxy:
// the SDK sends the placeholder id `$posthog_cookieless` and sets no id of its own; the service
// computes `cookieless_…` ids from the day's salt, the IP, the site and the user agent.
import type { Browser, BrowserContext } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newVisitor, ph, visit, type PageProblems } from './lib/browser';
import { eventually, personShape, rejectedRequests, waitForDelivery } from './lib/checks';
import type { SuiteContext } from './lib/context';
import { siteAndBrowser } from './lib/browser-suite';
import type { StoredEvent } from './lib/rest';
import type { SentEvent, Site } from './lib/site';

const PLACEHOLDER = '$posthog_cookieless';
const OTHER_BROWSER = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:140.0) Gecko/20100101 Firefox/140.0';

/** What the SDK left in the browser: cookies and localStorage/sessionStorage keys and values. */
async function storedBySdk(context: BrowserContext) {
  const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`);
  const page = context.pages()[0]!;
  const storage = await page.evaluate(() => {
    type KeyValues = { length: number; key(i: number): string | null; getItem(k: string): string | null };
    const w = globalThis as unknown as { localStorage: KeyValues; sessionStorage: KeyValues };
    const dump = (s: KeyValues) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`);
    return [...dump(w.localStorage), ...dump(w.sessionStorage)];
  });
  return { cookies, storage };
}

async function storedEventsOf(ctx: SuiteContext, sent: SentEvent[]): Promise<StoredEvent[]> {
  return eventually(async () => {
    const stored = await ctx.api.events();
    const byUuid = new Map(stored.map((e) => [e.id, e]));
    const missing = sent.filter((e) => !byUuid.has(e.uuid!)).map((e) => `${e.event} ${e.uuid}`);
    expect(missing, 'sent events not stored').toEqual([]);
    return sent.map((e) => byUuid.get(e.uuid!)!);
  });
}

describe("posthog-js cookieless_mode: 'always'", () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;
  const problems: PageProblems[] = [];
  let firstId = '';

  siteAndBrowser(
    'cookieless always',
    { sdk: 'bundled', config: { cookieless_mode: 'always', person_profiles: 'always' } },
    (s) => ({ ctx, site, browser } = s),
  );
  beforeAll(() => {
    expect(ctx.project).toMatchObject({ cookieless_server_hash_mode: 'stateless' });
  });

  it('a visitor browsing three pages is one cookieless id and one person; the SDK stores no id', async () => {
    const visitor = await newVisitor(browser);
    problems.push(visitor.problems);
    const { page } = visitor;
    await visit(page, `${site.origin}/`);
    expect(await ph(page, (p) => p.get_distinct_id())).toBe(PLACEHOLDER);
    await visit(page, `${site.origin}/pricing`);
    await ph(page, (p) => p.capture('plan_viewed', { plan: 'pro' }));
    await visit(page, `${site.origin}/docs`);
    const sent = await waitForDelivery(
      site,
      [
        { event: '$pageview', distinct_id: PLACEHOLDER, pathname: '/', properties: { $cookieless_mode: true } },
        { event: '$pageview', distinct_id: PLACEHOLDER, pathname: '/pricing' },
        { event: 'plan_viewed', distinct_id: PLACEHOLDER },
        { event: '$pageview', distinct_id: PLACEHOLDER, pathname: '/docs' },
      ],
      { problems: [visitor.problems] },
    );

    const { cookies, storage } = await storedBySdk(visitor.context);
    expect(cookies, 'cookies').toEqual([]);
    expect(
      storage.filter((s) => /distinct_id|\$device_id|[0-9a-f]{8}-[0-9a-f]{4}-7/.test(s)),
      'stored ids',
    ).toEqual([]);

    const stored = await storedEventsOf(ctx, sent);
    const ids = new Set(stored.map((e) => e.distinct_id));
    expect(ids.size, `distinct ids ${[...ids]}`).toBe(1);
    firstId = [...ids][0]!;
    expect(firstId).toMatch(/^cookieless_[A-Za-z0-9+/]{22}$/);
    for (const e of stored) {
      expect(e.properties).not.toHaveProperty('$ip');
      expect(e.properties).not.toHaveProperty('$raw_user_agent');
      expect(e.properties.$device_id).toMatch(/^cookielessd_/);
    }
    await eventually(async () => {
      const persons = await ctx.api.persons();
      expect(persons.map(personShape)).toEqual([{ distinct_ids: [firstId], is_identified: false }]);
    });
    await visitor.context.close();
  });

  it('the same browser profile coming back the same day is the same person; another browser is another', async () => {
    const again = await newVisitor(browser);
    const other = await newVisitor(browser, { userAgent: OTHER_BROWSER });
    problems.push(again.problems, other.problems);
    await visit(again.page, `${site.origin}/blog`);
    await visit(other.page, `${site.origin}/blog`);
    const sent = await waitForDelivery(site, [
      {
        event: '$pageview',
        distinct_id: PLACEHOLDER,
        pathname: '/blog',
        properties: {
          $raw_user_agent: await again.page.evaluate(
            () => (globalThis as unknown as { navigator: { userAgent: string } }).navigator.userAgent,
          ),
        },
      },
      {
        event: '$pageview',
        distinct_id: PLACEHOLDER,
        pathname: '/blog',
        properties: { $raw_user_agent: OTHER_BROWSER },
      },
    ]);
    const [sameBrowser, otherBrowser] = await storedEventsOf(ctx, sent);
    expect(sameBrowser!.distinct_id).toBe(firstId);
    expect(otherBrowser!.distinct_id).toMatch(/^cookieless_/);
    expect(otherBrowser!.distinct_id).not.toBe(firstId);
    await eventually(async () => {
      const persons = await ctx.api.persons();
      const byId = (a: { distinct_ids: string[] }, b: { distinct_ids: string[] }) =>
        a.distinct_ids[0]! < b.distinct_ids[0]! ? -1 : 1;
      expect(persons.map(personShape).sort(byId)).toEqual(
        [firstId, otherBrowser!.distinct_id].map((id) => ({ distinct_ids: [id], is_identified: false })).sort(byId),
      );
    });
    await again.context.close();
    await other.context.close();
  });

  it('nothing is stored under the placeholder; no warnings, errors or failed requests', async () => {
    expect(await ctx.api.personsByDistinctId(PLACEHOLDER)).toEqual([]);
    expect(await ctx.api.events({ distinct_id: PLACEHOLDER })).toEqual([]);
    expect(await ctx.api.warnings(), 'ingestion warnings').toEqual([]);
    expect(await rejectedRequests(site)).toEqual([]);
    expect(
      problems.flatMap((p) => p.consoleErrors),
      'browser console errors',
    ).toEqual([]);
    expect(
      problems.flatMap((p) => p.failedRequests),
      'failed requests to /ingest',
    ).toEqual([]);
  });
});

describe("posthog-js cookieless_mode: 'on_reject'", () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;

  siteAndBrowser(
    'cookieless on_reject',
    { sdk: 'bundled', config: { cookieless_mode: 'on_reject', person_profiles: 'always' } },
    (s) => ({ ctx, site, browser } = s),
  );

  it('nothing before a choice, cookieless after a rejection, a normal id after consent', async () => {
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await visit(page, `${site.origin}/`);
    await ph(page, (p) => p.capture('before_choice'));

    await ph(page, (p) => p.opt_out_capturing());
    expect(await ph(page, (p) => p.get_distinct_id())).toBe(PLACEHOLDER);
    await ph(page, (p) => p.capture('after_reject'));
    const [rejected] = await waitForDelivery(site, [{ event: 'after_reject', distinct_id: PLACEHOLDER }], {
      problems: [visitor.problems],
    });
    expect((await storedBySdk(visitor.context)).cookies.filter((c) => c.startsWith('ph_'))).toEqual([]);

    await ph(page, (p) => p.opt_in_capturing());
    const consentedId = await ph(page, (p) => p.get_distinct_id());
    expect(consentedId).not.toBe(PLACEHOLDER);
    await ph(page, (p) => p.capture('after_consent'));
    await visit(page, `${site.origin}/pricing`);
    const [consented] = await waitForDelivery(
      site,
      [
        { event: 'after_consent', distinct_id: consentedId },
        { event: '$pageview', distinct_id: consentedId, pathname: '/pricing' },
      ],
      { problems: [visitor.problems] },
    );

    expect(
      site.acceptedEvents().filter((e) => e.event === 'before_choice'),
      'sent before a choice',
    ).toEqual([]);
    const [rejectedRow, consentedRow] = await storedEventsOf(ctx, [rejected!, consented!]);
    expect(rejectedRow!.distinct_id).toMatch(/^cookieless_/);
    expect(consentedRow!.distinct_id).toBe(consentedId);
    // After consent the SDK keeps its own id (cookie), as without cookieless mode.
    expect((await storedBySdk(visitor.context)).cookies.some((c) => c.startsWith('ph_'))).toBe(true);
    expect(await ctx.api.personsByDistinctId(PLACEHOLDER)).toEqual([]);
    expect(await ctx.api.warnings(), 'ingestion warnings').toEqual([]);
    expect(visitor.problems.consoleErrors, 'browser console errors').toEqual([]);
    await visitor.context.close();
  });
});
