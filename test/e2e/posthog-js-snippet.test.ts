// The official PostHog snippet loading the SDK itself first-party from `/ingest/static/array.js`,
// then remote config, flags and capture, all through the site's `/ingest` path, with a clean
// browser console.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newVisitor, ph, visit } from './lib/browser';
import { expectPersonsFor, rejectedRequests, waitForDelivery } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';
import { startSite, type Site } from './lib/site';

describe('posthog-js loaded with the snippet from /ingest/static/array.js', () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;

  beforeAll(async () => {
    ctx = await freshProject('posthog-js snippet');
    site = await startSite({ upstream: ctx.baseUrl, token: ctx.project.api_token, sdk: 'snippet' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('loads the SDK, its config and flags first-party, captures, identifies, with no console errors', async () => {
    const { context, page, problems } = await newVisitor(browser);
    await visit(page, `${site.origin}/`);
    const sdk = await ph(page, (p) => ({ loaded: p.__loaded === true, distinctId: p.get_distinct_id() }));
    expect(sdk.loaded, 'posthog-js initialised from /ingest/static/array.js').toBe(true);

    const user = uniqueId('snippet-user');
    await ph(page, (p, id) => p.identify(id as string, { via: 'snippet' }), user);
    await ph(page, (p) => p.capture('snippet_event'));
    // A second page: the SDK script and config load again, the first page's queue is flushed.
    await visit(page, `${site.origin}/pricing`);
    await waitForDelivery(site, [
      { event: '$pageview', distinct_id: sdk.distinctId, pathname: '/' },
      { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: sdk.distinctId } },
      { event: 'snippet_event', distinct_id: user },
      { event: '$pageview', distinct_id: user, pathname: '/pricing' },
    ]);
    // Let late start-up requests (flags, extensions) finish before judging the console.
    await page.waitForLoadState('networkidle');
    await context.close();

    const seen = site.requests.map((r) => `${r.method} ${r.url} → ${r.status}`);
    const paths = site.requests.map((r) => new URL(r.url, site.origin).pathname);
    expect(paths, `the SDK script came from /ingest/static/array.js; requests: ${seen.join(', ')}`).toContain('/ingest/static/array.js');
    expect(
      paths.some((p) => p.startsWith(`/ingest/array/${ctx.project.api_token}/config`)),
      `remote config was requested under /ingest; requests: ${seen.join(', ')}`,
    ).toBe(true);
    expect(await rejectedRequests(site), 'requests to /ingest not answered with 2xx').toEqual([]);
    expect(problems.failedRequests, 'failed requests to /ingest').toEqual([]);
    expect(problems.consoleErrors, 'browser console errors').toEqual([]);

    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [sdk.distinctId, user].sort(), is_identified: true }]);
  });
});
