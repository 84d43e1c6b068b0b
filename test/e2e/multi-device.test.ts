// One user on three devices: a backend (posthog-node) and two browsers (posthog-js through the
// site's /ingest path). They must end up as one person.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newVisitor, ph, visit, type PageProblems } from './lib/browser';
import { eventually, expectEventsOfPerson, expectPersonsFor, rejectedRequests, waitForDelivery } from './lib/checks';
import { uniqueId, type SuiteContext } from './lib/context';
import { siteAndBrowser } from './lib/browser-suite';
import { nodeClient, type RecordedNodeClient } from './lib/node-sdk';
import type { Site } from './lib/site';

describe('multi-device: the same user from posthog-node and posthog-js', () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;
  let backend: RecordedNodeClient;
  const problems: PageProblems[] = [];
  const user = uniqueId('multi-user');
  const anonIds: string[] = [];

  siteAndBrowser('multi-device', { sdk: 'bundled' }, (s) => ({ ctx, site, browser } = s));
  beforeAll(() => {
    backend = nodeClient(ctx.project.api_token, ctx.baseUrl);
  });
  afterAll(async () => {
    await backend?.client.shutdown();
  });

  it('the backend identifies the user and captures', async () => {
    backend.client.identify({
      distinctId: user,
      properties: { $set: { plan: 'enterprise', company: 'Acme' }, $set_once: { first_seen_on: 'backend' } },
    });
    backend.client.capture({ distinctId: user, event: 'invoice_paid', properties: { amount: 42 } });
    await backend.client.shutdown();
    expect(backend.errors, 'errors posthog-node reported').toEqual([]);
    expect(backend.acceptedEvents().map((e) => e.event)).toEqual(['$identify', 'invoice_paid']);
    await expectPersonsFor(ctx.api, user, [{ distinct_ids: [user], is_identified: false }]);
  });

  it('a laptop and a phone browse anonymously, then log in as the same user', async () => {
    for (const [device, path] of [
      ['laptop', '/?utm_source=newsletter'],
      ['phone', '/pricing'],
    ] as const) {
      const visitor = await newVisitor(browser);
      problems.push(visitor.problems);
      await visit(visitor.page, `${site.origin}${path}`);
      const anon = await ph(visitor.page, (p) => p.get_distinct_id());
      anonIds.push(anon);
      await ph(
        visitor.page,
        (p, a) => p.identify((a as string[])[0]!, { [`last_${(a as string[])[1]}_login`]: true, name: 'Grace' }),
        [user, device],
      );
      // posthog-js sends $identify at once (not batched) after async compression; leaving the
      // page before that request starts would lose it in any backend, so let it go out first.
      await waitForDelivery(
        site,
        [{ event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon } }],
        { problems: [visitor.problems] },
      );
      await ph(visitor.page, (p, d) => p.capture('opened_dashboard', { device: d }), device);
      await waitForDelivery(
        site,
        [
          { event: '$pageview', distinct_id: anon },
          { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon } },
          { event: 'opened_dashboard', distinct_id: user, properties: { device } },
        ],
        { problems: [visitor.problems] },
      );
      await visitor.context.close();
    }
    expect(new Set(anonIds).size, 'each device has its own anonymous id').toBe(2);
  });

  it('one person owns the backend id and both anonymous browser ids, with properties from every device', async () => {
    const [person] = await expectPersonsFor(ctx.api, user, [
      { distinct_ids: [...anonIds, user].sort(), is_identified: true },
    ]);
    await eventually(async () => {
      const current = await ctx.api.person(person!.uuid);
      expect(current.properties, `properties of ${user}`).toMatchObject({
        plan: 'enterprise',
        company: 'Acme',
        first_seen_on: 'backend',
        name: 'Grace',
        last_laptop_login: true,
        last_phone_login: true,
      });
    });
    const all = await ctx.api.persons();
    expect(
      all.map((p) => ({ uuid: p.uuid, distinct_ids: [...p.distinct_ids].sort() })),
      'all persons in the project',
    ).toEqual([{ uuid: person!.uuid, distinct_ids: [...anonIds, user].sort() }]);
    const ids = new Set([...anonIds, user]);
    const sent = [...backend.acceptedEvents(), ...site.acceptedEvents().filter((e) => ids.has(e.distinct_id))];
    await expectEventsOfPerson(ctx.api, person!.uuid, sent);
  });

  it('no warnings, console errors or failed requests', async () => {
    expect(await ctx.api.warnings(), 'ingestion warnings').toEqual([]);
    expect(await rejectedRequests(site), 'requests to /ingest not answered with 2xx').toEqual([]);
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
