import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { issueSession, isValidSession } from '../../src/web/session';
import { WRONG_KEY_DELAY_MS } from '../../src/web/routes';
import {
  API_KEY,
  at,
  BASE,
  dbFor,
  env,
  fetchWorker,
  newProject,
  page,
  SAME_ORIGIN,
  seedEvents,
  seedHistory,
  seedPerson,
  seedWarnings,
  signIn,
} from '../support';
import { dbOf } from '../../src/db/client';

const post = (
  path: string,
  cookie: string,
  form: Record<string, string>,
  headers: Record<string, string> = SAME_ORIGIN,
) =>
  fetchWorker(path, {
    method: 'POST',
    headers: { ...headers, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
    redirect: 'manual',
  });

// Workers' crypto.subtle.timingSafeEqual: not plain Node (the same-origin check is in session.node.test.ts).
describe('session cookie', () => {
  it('is valid only with the key that signed it, unaltered and unexpired', async () => {
    const now = Date.UTC(2026, 0, 1);
    const value = await issueSession('key-a', now, 60);
    expect(await isValidSession('key-a', value, now + 59_000)).toBe(true);
    expect(await isValidSession('key-a', value, now + 61_000)).toBe(false);
    expect(await isValidSession('key-b', value, now)).toBe(false);
    const [expiry, nonce, sig] = value.split('.');
    expect(await isValidSession('key-a', `${Number(expiry) + 3600}.${nonce}.${sig}`, now)).toBe(false);
    expect(
      await isValidSession('key-a', `${expiry}.${nonce}.${sig!.slice(0, -1)}${sig!.endsWith('A') ? 'B' : 'A'}`, now),
    ).toBe(false);
    expect(await isValidSession('key-a', undefined, now)).toBe(false);
    expect(await isValidSession('key-a', 'garbage', now)).toBe(false);
  });
});

describe('sign in and out', () => {
  it('shows the sign-in page with a strict content security policy', async () => {
    const res = await fetchWorker('/app/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Personal API key');
    expect(res.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'self'");
  });

  it('a wrong key gets a clear message after a delay, and no cookie', async () => {
    const started = Date.now();
    const res = await post('/app/login', '', { key: 'phx_wrong' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(WRONG_KEY_DELAY_MS - 50);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('That is not the personal API key of this server.');
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('the right key sets an HttpOnly, SameSite=Strict, expiring cookie for the app path; Secure on https', async () => {
    const res = await post('/app/login', '', { key: API_KEY });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/app/projects');
    const cookie = res.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/app\//);
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect(cookie).not.toMatch(/Secure/);
    const https = await fetchWorker('/app/login', {
      method: 'POST',
      headers: { ...SAME_ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-Proto': 'https' },
      body: new URLSearchParams({ key: API_KEY }),
      redirect: 'manual',
    });
    expect(https.headers.get('Set-Cookie')).toMatch(/Secure/);
  });

  it('a cross-site sign-in is refused', async () => {
    const res = await post('/app/login', '', { key: API_KEY }, { 'Sec-Fetch-Site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('pages need a session; a forged cookie does not do', async () => {
    for (const cookie of [
      '',
      'phe_session=1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `phe_session=${await issueSession('not-the-key')}`,
    ]) {
      const res = await page('/app/projects', cookie);
      expect(res.status).toBe(303);
      expect(res.headers.get('Location')).toBe('/app/');
    }
    const json = await fetchWorker('/app/projects/1/events.json');
    expect(json.status).toBe(401);
  });

  it('signing out clears the cookie and ends the session on the server: the old cookie stops working at once', async () => {
    const cookie = await signIn();
    const other = await signIn();
    expect((await page('/app/projects', cookie)).status).toBe(200);
    const res = await post('/app/logout', cookie, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('Set-Cookie')).toMatch(/phe_session=;.*Max-Age=0/);
    const after = await page('/app/projects', cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('Location')).toBe('/app/');
    expect((await fetchWorker('/app/projects/1/events.json', { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await post('/app/projects', cookie, { name: `after sign-out ${crypto.randomUUID()}` })).status).toBe(401);
    // Another sign-in (another browser) is its own session.
    expect((await page('/app/projects', other)).status).toBe(200);
  });

  it('a cross-site sign-out is refused and ends nothing', async () => {
    const cookie = await signIn();
    expect((await post('/app/logout', cookie, {}, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await page('/app/projects', cookie)).status).toBe(200);
  });
});

describe('mutations need the session and the same origin', () => {
  it('creating a project: refused cross-site or without a session, done same-origin with one', async () => {
    const cookie = await signIn();
    const name = `web ${crypto.randomUUID()}`;
    const count = async () =>
      (await dbOf(env.DB).all<{ n: number }>(sql`SELECT count(*) AS n FROM projects WHERE name = ${name}`))[0]!.n;
    expect((await post('/app/projects', cookie, { name }, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await post('/app/projects', cookie, { name }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('/app/projects', '', { name })).status).toBe(401);
    expect(await count()).toBe(0);
    const res = await post('/app/projects', cookie, { name });
    expect(res.status).toBe(303);
    expect(await count()).toBe(1);
    const projectPage = await page(res.headers.get('Location')!, cookie);
    expect(projectPage.html).toContain('phc_');
    expect(projectPage.html).toContain(`api_host: &quot;${BASE}/ingest&quot;`);
  });

  it('project settings go through the PATCH validation', async () => {
    const cookie = await signIn();
    const project = await newProject();
    const bad = await post(`/app/projects/${project.id}/settings`, cookie, {
      name: 'x',
      timezone: 'Mars/Olympus',
      cookieless_server_hash_mode: 'stateless',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('IANA time zone');
    const good = await post(`/app/projects/${project.id}/settings`, cookie, {
      name: 'renamed',
      timezone: 'Europe/Berlin',
      anonymize_ips: 'on',
      cookieless_server_hash_mode: 'disabled',
      event_retention_days: '30',
    });
    expect(good.status).toBe(303);
    const row = (
      await dbOf(env.DB).all<Record<string, unknown>>(sql`SELECT * FROM projects WHERE id = ${project.id}`)
    )[0]!;
    expect(row).toMatchObject({
      name: 'renamed',
      timezone: 'Europe/Berlin',
      anonymize_ips: 1,
      cookieless_server_hash_mode: 'disabled',
      event_retention_days: 30,
    });
  });
});

const HOSTILE = '<img src=x onerror=alert(1)>';

describe('pages show user data as text', () => {
  it('persons, person, events, event and warnings pages escape hostile ids, keys and values', async () => {
    const cookie = await signIn();
    const { id: projectId } = await newProject();
    const personId = await seedPerson(projectId, {
      distinctIds: [HOSTILE, 'javascript:alert(1)'],
      properties: { email: `${HOSTILE}@x.test`, [`${HOSTILE}key`]: HOSTILE, $initial_referrer: 'javascript:alert(2)' },
      isIdentified: true,
      createdAt: at(1),
    });
    const [eventUuid] = await seedEvents(projectId, [
      {
        event: HOSTILE,
        distinctId: HOSTILE,
        properties: { [HOSTILE]: '</script><script>alert(1)</script>' },
        timestamp: at(2),
      },
    ]);
    await seedWarnings(projectId, [
      { type: HOSTILE, details: { sourcePersonDistinctId: HOSTILE }, eventUuid, timestamp: at(3) },
    ]);
    const paths = [
      `/app/projects/${projectId}/persons`,
      `/app/projects/${projectId}/persons?q=${encodeURIComponent(HOSTILE)}`,
      `/app/projects/${projectId}/persons/${personId}`,
      `/app/projects/${projectId}/events`,
      `/app/projects/${projectId}/events?event=${encodeURIComponent(HOSTILE)}`,
      `/app/projects/${projectId}/events/${eventUuid}`,
      `/app/projects/${projectId}/warnings`,
    ];
    for (const path of paths) {
      const { status, html } = await page(path, cookie);
      expect(status, path).toBe(200);
      expect(html, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html, path).not.toContain('<img');
      expect(html, path).not.toContain('<script>alert');
      expect(html, path).not.toMatch(/href="javascript:/i);
    }
  });
});

describe('person page', () => {
  it('shows ids, grouped properties, events and the merge history with refused merges', async () => {
    const cookie = await signIn();
    const { id: projectId } = await newProject();
    const absorbed = crypto.randomUUID();
    const personId = await seedPerson(projectId, {
      distinctIds: ['anon-1', 'user@example.com', 'anon-2'],
      properties: { email: 'user@example.com', plan: 'pro', $initial_browser: 'Chrome', $geoip_country_code: 'DE' },
      isIdentified: true,
      createdAt: at(0),
    });
    const [identifyUuid, mergeUuid, refusedUuid] = await seedEvents(projectId, [
      { event: '$identify', distinctId: 'user@example.com', timestamp: at(1) },
      { event: '$create_alias', distinctId: 'user@example.com', timestamp: at(2) },
      { event: '$identify', distinctId: 'other@example.com', timestamp: at(3) },
    ]);
    await seedHistory(projectId, {
      kind: 'identify',
      source: personId,
      target: personId,
      at: at(1),
      eventUuid: identifyUuid,
      details: { event: '$identify', distinct_ids_added: ['user@example.com'] },
    });
    await seedHistory(projectId, {
      kind: 'merge',
      source: absorbed,
      target: personId,
      at: at(2),
      eventUuid: mergeUuid,
      details: { event: '$create_alias', source_distinct_id: 'anon-2', target_distinct_id: 'user@example.com' },
    });
    await seedWarnings(projectId, [
      {
        type: 'cannot_merge_already_identified',
        details: {
          sourcePersonDistinctId: 'user@example.com',
          targetPersonDistinctId: 'other@example.com',
          eventUuid: refusedUuid,
        },
        eventUuid: refusedUuid,
        timestamp: at(3),
      },
      {
        type: 'cannot_merge_already_identified',
        details: { sourcePersonDistinctId: 'someone', targetPersonDistinctId: 'else' },
        timestamp: at(4),
      },
    ]);
    const { html } = await page(`/app/projects/${projectId}/persons/${personId}`, cookie);
    expect(html).toContain('Distinct ids (3)');
    expect(html).toContain('Initial ($initial_*)');
    expect(html).toContain('GeoIP');
    const history = html.slice(html.indexOf('class="timeline"'));
    const order = ['Created', 'Ids joined', 'Merged', 'Merge refused'].map((t) =>
      history.indexOf(`<strong>${t}</strong>`),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(history).toContain(`/events/${mergeUuid}`);
    expect(history).toContain(`/events/${refusedUuid}`);
    expect(history).toContain(`/persons/${absorbed}`);
    expect(history).not.toContain('someone');
    expect(html.match(/class="event"/g)?.length).toBe(2);

    const { html: refusedEvent } = await page(`/app/projects/${projectId}/events/${refusedUuid}`, cookie);
    expect(refusedEvent).toContain('Warnings this event raised');
    expect(refusedEvent).toContain('<code>cannot_merge_already_identified</code>');
    // Warnings link the distinct ids they name to their persons (a search when no person has the id).
    const { html: warnings } = await page(`/app/projects/${projectId}/warnings`, cookie);
    expect(warnings).toContain(`href="/app/projects/${projectId}/persons/${personId}" class="id">user@example.com</a>`);
    expect(warnings).toContain(
      `href="/app/projects/${projectId}/persons?q=other%40example.com" class="id">other@example.com</a>`,
    );

    const { html: list } = await page(`/app/projects/${projectId}/persons?q=user%40example`, cookie);
    expect(list).toContain(`/persons/${personId}`);
    expect(list).toMatch(/<td class="num">3<\/td>/);
    expect(list).toContain('2024-01-01 00:02:00 <span class="tz">UTC</span>');
  });

  it('splits and deletes only when confirmed', async () => {
    const cookie = await signIn();
    const { id: projectId } = await newProject();
    const personId = await seedPerson(projectId, { distinctIds: ['a', 'b', 'c'], isIdentified: true });
    const path = `/app/projects/${projectId}/persons/${personId}`;
    await post(`${path}/split`, cookie, { main_distinct_id: 'b' });
    const idsOf = async () =>
      (
        await (
          await dbFor(projectId)
        ).all<{ distinct_id: string }>(
          sql`SELECT distinct_id FROM person_distinct_ids WHERE person_id = ${personId} ORDER BY distinct_id`,
        )
      ).map((r) => r.distinct_id);
    expect(await idsOf()).toEqual(['a', 'b', 'c']);
    const res = await post(`${path}/split`, cookie, { main_distinct_id: 'b', confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(await idsOf()).toEqual(['b']);
    const { html } = await page(`${path}?split=1`, cookie);
    expect(html.match(/<strong>Split off<\/strong>/g)?.length).toBe(2);

    expect((await post(`${path}/delete`, cookie, {})).status).toBe(303);
    expect(await idsOf()).toEqual(['b']);
    expect((await post(`${path}/delete`, cookie, { confirm: 'yes' })).status).toBe(303);
    expect(await idsOf()).toEqual([]);
    expect((await page(path, cookie)).status).toBe(404);
  });
});

describe('mounted under the path prefix', () => {
  it('serves the app at /ingest/app/ with its own cookie path and links', async () => {
    const res = await fetchWorker('/ingest/app/');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('action="/ingest/app/login"');
    const cookie = await signIn('/ingest/app');
    const { status, html } = await page('/ingest/app/projects', cookie);
    expect(status).toBe(200);
    expect(html).toContain('href="/ingest/app/assets/app.css');
    expect((await fetchWorker('/ingest/app', { redirect: 'manual' })).headers.get('Location')).toBe('/ingest/app/');
  });
});

describe('assets', () => {
  it('serves the app script, stylesheet and the chart library first-party; nothing else', async () => {
    for (const [name, type] of [
      ['app.js', 'text/javascript'],
      ['events.js', 'text/javascript'],
      ['insights.js', 'text/javascript'],
      ['uPlot.iife.min.js', 'text/javascript'],
      ['app.css', 'text/css'],
      ['uPlot.min.css', 'text/css'],
    ]) {
      const res = await fetchWorker(`/app/assets/${name}?v=1`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('Content-Type'), name).toContain(type);
      expect((await res.text()).length, name).toBeGreaterThan(100);
    }
    for (const name of ['nope.js', '..%2Fposthog-js%2Farray.js', 'array.js']) {
      expect((await fetchWorker(`/app/assets/${name}`)).status, name).toBe(404);
    }
    expect((await fetchWorker('/ingest/app/assets/app.js')).status).toBe(200);
  });
});
