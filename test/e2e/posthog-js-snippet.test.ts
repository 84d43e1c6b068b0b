// The official PostHog snippet loading the SDK itself first-party from `/ingest/static/array.js`,
// then remote config, flags and capture, all through the site's `/ingest` path, with a clean
// browser console.
import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newVisitor, ph, visit, type PageProblems } from './lib/browser';
import { expectPersonsFor, rejectedRequests, waitForDelivery } from './lib/checks';
import { uniqueId, type SuiteContext } from './lib/context';
import { siteAndBrowser } from './lib/browser-suite';
import type { Site } from './lib/site';

describe('posthog-js loaded with the snippet from /ingest/static/array.js', () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;

  siteAndBrowser('posthog-js snippet', { sdk: 'snippet' }, (s) => ({ ctx, site, browser } = s));

  let problems: PageProblems;
  let anon = '';
  const user = uniqueId('snippet-user');
  const seen = () => site.requests.map((r) => `${r.method} ${r.url} → ${r.status || 'no answer'}`).join('\n  ');

  it('loads the SDK from /ingest/static/array.js, captures and identifies', async () => {
    const visitor = await newVisitor(browser);
    problems = visitor.problems;
    const { page } = visitor;
    await visit(page, `${site.origin}/`);
    const sdk = await ph(page, (p) => ({ loaded: p.__loaded === true, distinctId: p.get_distinct_id() }));
    expect(sdk.loaded, 'posthog-js initialised').toBe(true);
    anon = sdk.distinctId;

    await ph(page, (p, id) => p.identify(id as string, { via: 'snippet' }), user);
    // posthog-js sends $identify at once (not batched) after async compression; leaving the
    // page before that request starts would lose it in any backend, so let it go out first.
    await waitForDelivery(site, [{ event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon } }], {
      problems: [problems],
    });
    await ph(page, (p) => p.capture('snippet_event'));
    // A second page: the SDK script and config load again, the first page's queue is flushed.
    await visit(page, `${site.origin}/pricing`);
    await waitForDelivery(
      site,
      [
        { event: '$pageview', distinct_id: anon, pathname: '/' },
        { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon } },
        { event: 'snippet_event', distinct_id: user },
        { event: '$pageview', distinct_id: user, pathname: '/pricing' },
      ],
      { problems: [problems] },
    );
    // Let late start-up requests (flags, extensions) finish before judging them.
    await page.waitForLoadState('networkidle');
    await visitor.context.close();
    await site.settled();

    const paths = site.requests.map((r) => new URL(r.url, site.origin).pathname);
    expect(paths, `requests seen:\n  ${seen()}`).toContain('/ingest/static/array.js');
    expect(
      paths.some((p) => p.startsWith(`/ingest/array/${ctx.project.api_token}/config`)),
      `remote config requested under /ingest; requests seen:\n  ${seen()}`,
    ).toBe(true);
  });

  it('every request to /ingest (SDK scripts, remote config, flags, capture) is answered 2xx', async () => {
    expect(problems, 'the page was opened by the first test').toBeDefined();
    expect(await rejectedRequests(site), `requests not answered with 2xx; all requests:\n  ${seen()}\n`).toEqual([]);
    expect(problems.failedRequests, 'failed requests to /ingest seen by the browser').toEqual([]);
  });

  it('the browser console has no errors', () => {
    expect(problems, 'the page was opened by the first test').toBeDefined();
    expect(problems.consoleErrors, 'browser console errors').toEqual([]);
  });

  it('the user is one identified person with the anonymous id', async () => {
    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [anon, user].sort(), is_identified: true }]);
  });
});
