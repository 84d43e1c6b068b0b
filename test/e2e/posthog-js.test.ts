// posthog-js (the real npm package, bundled by the site) in headless Chromium, sending to the
// service through the site's own `/ingest` path with the default person_profiles
// ('identified_only').
import type { Browser } from 'playwright-core';
import { v5 as uuidv5 } from 'uuid';
import { describe, expect, inject, it } from 'vitest';
import { newVisitor, ph, visit, type PageProblems } from './lib/browser';
import {
  eventually,
  expectEventsOfPerson,
  expectPersonsFor,
  personShape,
  rejectedRequests,
  waitForDelivery,
} from './lib/checks';
import { uniqueId, type SuiteContext } from './lib/context';
import { siteAndBrowser } from './lib/browser-suite';
import type { Site } from './lib/site';

const PERSONLESS_NAMESPACE = '932979b4-65c3-4424-8467-0b66ec27bc22';
/** The address and location the site's proxy forwards for its visitors (browsers here are all local). */
const VISITOR_IP = '198.51.100.23';
const VISITOR_GEO = {
  'X-Vercel-IP-Country': 'NL',
  'X-Vercel-IP-City': 'Amsterdam',
  'X-Vercel-IP-Timezone': 'Europe/Amsterdam',
  'X-Vercel-IP-Continent': 'EU',
};

describe('posthog-js in a real browser, first-party /ingest path', () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;
  const problems: PageProblems[] = [];

  // The site forwards like a host in front of the service: the visitor's address in
  // X-Forwarded-For, Vercel-style location headers, and the shared proxy secret.
  siteAndBrowser(
    'posthog-js',
    { sdk: 'bundled', forward: { secret: inject('service').proxySecret, visitorIp: VISITOR_IP, geo: VISITOR_GEO } },
    (s) => ({ ctx, site, browser } = s),
  );

  const user = uniqueId('user');
  const email = `${user}@example.com`;
  let anon1 = '';
  let anon2 = '';
  let anonVisitor = '';

  it('anonymous visit, identify, reset, identify again: the SDK delivers every event', async () => {
    const visitor = await newVisitor(browser);
    problems.push(visitor.problems);
    const { page } = visitor;
    // What a visitor writes into its own X-Forwarded-For must not become its address.
    await visitor.context.setExtraHTTPHeaders({ 'X-Forwarded-For': '6.6.6.6', 'X-Vercel-IP-Country': 'KP' });

    await visit(page, `${site.origin}/?utm_source=e2e&utm_campaign=launch`);
    anon1 = await ph(page, (p) => p.get_distinct_id());
    await visit(page, `${site.origin}/pricing`);
    await ph(
      page,
      (p, a) =>
        p.identify(
          (a as string[])[0]!,
          { email: (a as string[])[1], name: 'Ada', plan: 'free' },
          { signup_source: 'pricing' },
        ),
      [user, email],
    );
    // posthog-js sends $identify at once (not batched) after async compression; leaving the
    // page before that request starts would lose it in any backend, so let it go out first.
    await waitForDelivery(site, [{ event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon1 } }], {
      problems: [visitor.problems],
    });
    await ph(page, (p) => p.capture('upgrade_clicked', { plan: 'pro' }));
    await ph(page, (p) => p.setPersonProperties({ plan: 'pro' }));
    await visit(page, `${site.origin}/docs`);
    await ph(page, (p) => p.reset());
    anon2 = await ph(page, (p) => p.get_distinct_id());
    await visit(page, `${site.origin}/blog`);
    await ph(page, (p, u) => p.identify(u as string), user);
    await waitForDelivery(site, [{ event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon2 } }], {
      problems: [visitor.problems],
    });
    await ph(page, (p) => p.capture('came_back'));

    expect(anon1).not.toBe('');
    expect(anon2, 'reset() gives a new anonymous id').not.toBe(anon1);
    expect([anon1, anon2]).not.toContain(user);

    await waitForDelivery(
      site,
      [
        { event: '$pageview', distinct_id: anon1, pathname: '/', properties: { $process_person_profile: false } },
        {
          event: '$pageview',
          distinct_id: anon1,
          pathname: '/pricing',
          properties: { $process_person_profile: false },
        },
        { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon1 } },
        { event: 'upgrade_clicked', distinct_id: user },
        { event: '$set', distinct_id: user },
        { event: '$pageview', distinct_id: user, pathname: '/docs' },
        { event: '$pageview', distinct_id: anon2, pathname: '/blog', properties: { $process_person_profile: false } },
        { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon2 } },
        { event: 'came_back', distinct_id: user },
      ],
      { problems: [visitor.problems] },
    );
    await visitor.context.close();
  });

  it('a second visitor browses without identifying', async () => {
    const visitor = await newVisitor(browser);
    problems.push(visitor.problems);
    await visit(visitor.page, `${site.origin}/`);
    anonVisitor = await ph(visitor.page, (p) => p.get_distinct_id());
    await visit(visitor.page, `${site.origin}/pricing`);
    await ph(visitor.page, (p) => p.capture('browsed_anonymously'));
    await waitForDelivery(
      site,
      [
        { event: '$pageview', distinct_id: anonVisitor, pathname: '/' },
        { event: '$pageview', distinct_id: anonVisitor, pathname: '/pricing' },
        { event: 'browsed_anonymously', distinct_id: anonVisitor },
      ],
      { problems: [visitor.problems] },
    );
    await visitor.context.close();
  });

  it('the user is one identified person owning both anonymous ids', async () => {
    const expected = [{ distinct_ids: [anon1, anon2, user].sort(), is_identified: true }];
    const [person] = await expectPersonsFor(ctx.api, user, expected);
    for (const anon of [anon1, anon2]) {
      const persons = await ctx.api.personsByDistinctId(anon);
      expect(
        persons.map((p) => p.uuid),
        `person of anonymous id ${anon}`,
      ).toEqual([person!.uuid]);
    }
  });

  it('the person has the identify properties, later $set, $set_once and $initial_* of the first visit', async () => {
    const sent = site.acceptedEvents();
    const firstPageview = sent.find((e) => e.event === '$pageview' && e.distinct_id === anon1)!;
    const firstIdentify = sent.find((e) => e.event === '$identify' && e.properties.$anon_distinct_id === anon1)!;
    await eventually(async () => {
      const [person] = await ctx.api.personsByDistinctId(user);
      expect(person?.properties, `properties of person ${user}`).toMatchObject({
        email,
        name: 'Ada',
        plan: 'pro', // setPersonProperties after identify overwrote 'free'
        signup_source: 'pricing',
        // From posthog-js's $set_once on $identify: the first page of the anonymous visit,
        // not the page where identify happened nor the page of the second identify.
        $initial_current_url: `${site.origin}/?utm_source=e2e&utm_campaign=launch`,
        $initial_pathname: '/',
        $initial_utm_source: 'e2e',
        $initial_utm_campaign: 'launch',
        $initial_referrer: '$direct',
        $initial_referring_domain: '$direct',
        // Computed by the service from the event's own properties.
        $initial_browser: firstPageview.properties.$browser,
        $initial_os: firstPageview.properties.$os,
        $initial_device_type: firstPageview.properties.$device_type,
        $creator_event_uuid: firstIdentify.uuid,
      });
    });
  });

  it("behind the reverse proxy, events carry the visitor's forwarded $ip and location, and so does the person", async () => {
    const sent = site.acceptedEvents().filter((e) => [anon1, anon2, user].includes(e.distinct_id));
    await eventually(async () => {
      const stored = await ctx.api.events({ distinct_id: user });
      expect(stored.length, 'events of the user').toBeGreaterThan(0);
      for (const e of stored) {
        expect(e.properties, `${e.event} ${e.id}`).toMatchObject({
          $ip: VISITOR_IP,
          $geoip_country_code: 'NL',
          $geoip_city_name: 'Amsterdam',
          $geoip_time_zone: 'Europe/Amsterdam',
        });
      }
    });
    expect(sent.length).toBeGreaterThan(0);
    const [person] = await ctx.api.personsByDistinctId(user);
    expect(person?.properties, `properties of person ${user}`).toMatchObject({
      $geoip_country_code: 'NL',
      $geoip_country_name: 'Netherlands',
      $geoip_city_name: 'Amsterdam',
      $geoip_continent_name: 'Europe',
      $initial_geoip_country_code: 'NL',
      $initial_geoip_city_name: 'Amsterdam',
    });
  });

  it('a direct sender cannot set its address or location with forwarding headers', async () => {
    const distinctId = uniqueId('direct');
    const uuid = crypto.randomUUID();
    const res = await fetch(`${ctx.baseUrl}/i/v0/e/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Forwarded-For': VISITOR_IP,
        'X-Real-IP': VISITOR_IP,
        'X-Vercel-IP-Country': 'NL',
        'X-Proxy-Secret': 'guessed-secret-value',
      },
      body: JSON.stringify({
        api_key: ctx.project.api_token,
        event: 'direct',
        distinct_id: distinctId,
        uuid,
        properties: { $process_person_profile: false },
      }),
    });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const [stored] = await ctx.api.events({ distinct_id: distinctId });
      expect(stored?.id).toBe(uuid);
      expect(stored?.properties.$ip, 'the address wrangler dev saw').toMatch(/^(127\.0\.0\.1|::1)$/);
      // Local wrangler dev's own request.cf location, never the forged one.
      expect(stored?.properties.$geoip_country_code).not.toBe('NL');
    });
  });

  it('every event of the user is on the person, including anonymous pageviews sent before identify', async () => {
    const [person] = await ctx.api.personsByDistinctId(user);
    expect(person, `person for ${user}`).toBeDefined();
    const ids = new Set([anon1, anon2, user]);
    const sent = site.acceptedEvents().filter((e) => ids.has(e.distinct_id));
    expect(sent.filter((e) => e.distinct_id === anon1 && e.event === '$pageview').length).toBeGreaterThanOrEqual(2);
    const stored = await expectEventsOfPerson(ctx.api, person!.uuid, sent);
    // Nothing from the other visitor leaks into this person.
    expect(stored.filter((e) => !ids.has(e.distinct_id)).map((e) => `${e.event} from ${e.distinct_id}`)).toEqual([]);
  });

  it('the visitor who never identified has no person; their events are stored person-less', async () => {
    const sent = site.acceptedEvents().filter((e) => e.distinct_id === anonVisitor);
    const expectedPersonId = uuidv5(`${ctx.project.id}:${anonVisitor}`, PERSONLESS_NAMESPACE);
    await eventually(async () => {
      const stored = await ctx.api.events({ distinct_id: anonVisitor });
      const byUuid = new Map(stored.map((e) => [e.id, e]));
      expect(
        sent.map((e) => ({
          event: e.event,
          uuid: e.uuid,
          person_id: byUuid.get(e.uuid!)?.person_id ?? '(not stored)',
        })),
        `events of anonymous visitor ${anonVisitor}`,
      ).toEqual(sent.map((e) => ({ event: e.event, uuid: e.uuid, person_id: expectedPersonId })));
    });
    expect(await ctx.api.personsByDistinctId(anonVisitor), `persons with distinct_id ${anonVisitor}`).toEqual([]);
    const everyone = await ctx.api.persons();
    expect(everyone.map(personShape), 'all persons in the project').toEqual([
      { distinct_ids: [anon1, anon2, user].sort(), is_identified: true },
    ]);
  });

  it('no ingestion warnings, no console errors, no failed requests to /ingest', async () => {
    expect(await ctx.api.warnings(), 'ingestion warnings').toEqual([]);
    expect(await rejectedRequests(site), 'requests the service did not answer with 2xx').toEqual([]);
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
