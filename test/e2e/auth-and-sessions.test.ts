// Findings 7 and 8 of issue 30, against wrangler dev: wrong keys rate limited per client address
// (REST and web sign-in together; the Rate Limiting binding's local runtime with wrangler.toml's
// numbers), sign-out ending the session on the server, the same-origin check ignoring
// X-Forwarded-Host on all six web actions, and project ids read strictly. Each test comes from an
// address of its own (forwarded by the suites' trusted proxy secret), so its failures block
// nobody else in the run.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { freshProject } from './lib/context';

const { baseUrl, apiKey, proxySecret } = inject('service');
/** wrangler.toml: [[ratelimits]] AUTH_FAILURES simple.limit. */
const FAILURES_PER_MINUTE = 10;

/** An address no other test uses (10.x.y.z), so each test starts with no failures counted. */
const newAddress = () => `10.${[...randomBytes(3)].join('.')}`;
const from = (ip: string) => ({ 'X-Proxy-Secret': proxySecret, 'X-Forwarded-For': ip });

const rest = (ip: string, key: string, path = '/api/projects/') =>
  fetch(`${baseUrl}${path}`, { headers: { ...from(ip), Authorization: `Bearer ${key}` } });

function form(path: string, fields: Record<string, string>, headers: Record<string, string>) {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
    redirect: 'manual',
  });
}

const sameOrigin = { Origin: baseUrl };

async function signIn(ip = newAddress()): Promise<string> {
  const res = await form('/app/login', { key: apiKey }, { ...sameOrigin, ...from(ip) });
  expect(res.status).toBe(303);
  const value = /phe_session=([^;]+)/.exec(res.headers.get('Set-Cookie') ?? '')?.[1];
  if (!value) throw new Error('no session cookie');
  return `phe_session=${value}`;
}

const appPage = (path: string, cookie: string) =>
  fetch(`${baseUrl}${path}`, { headers: { Cookie: cookie }, redirect: 'manual' });

/** The local limiter counts in wall-clock minutes: start a test well inside one. */
async function atStartOfWindow() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 40_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 200));
}

describe('wrong keys are rate limited per client address', () => {
  it('REST: 10 wrong keys answer 401 at full speed, then 429 with Retry-After for any key from that address only', async () => {
    await atStartOfWindow();
    const attacker = newAddress();
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: FAILURES_PER_MINUTE }, (_, i) => rest(attacker, `phx_guess_${i}`).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array(FAILURES_PER_MINUTE).fill(401));
    expect(Date.now() - started).toBeLessThan(5_000);
    const throttled = await rest(attacker, 'phx_guess_more');
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await throttled.json()).toMatchObject({ type: 'throttled_error', code: 'throttled' });
    // 200 more guesses (the issue measured 208 a second, all 401): every one refused unchecked.
    const more = await Promise.all(
      Array.from({ length: 200 }, (_, i) => rest(attacker, `phx_x${i}`).then((r) => r.status)),
    );
    expect(new Set(more)).toEqual(new Set([429]));
    expect((await rest(attacker, apiKey)).status).toBe(429);
    // Nobody else is locked out: another address, and the run's own requests (127.0.0.1).
    expect((await rest(newAddress(), apiKey)).status).toBe(200);
    expect((await fetch(`${baseUrl}/api/projects/`, { headers: { Authorization: `Bearer ${apiKey}` } })).status).toBe(
      200,
    );
  });

  it('the web sign-in counts against the same limit: no way around it through either', async () => {
    await atStartOfWindow();
    const attacker = newAddress();
    const wrong = await Promise.all(
      Array.from({ length: FAILURES_PER_MINUTE }, (_, i) =>
        form('/app/login', { key: `phx_guess_${i}` }, { ...sameOrigin, ...from(attacker) }).then((r) => r.status),
      ),
    );
    expect(wrong).toEqual(Array(FAILURES_PER_MINUTE).fill(401));
    // The binding counts; the next wrong key finds the limit reached and blocks the address.
    const over = await form('/app/login', { key: 'phx_guess_more' }, { ...sameOrigin, ...from(attacker) });
    expect(over.status).toBe(429);
    const blocked = await form('/app/login', { key: apiKey }, { ...sameOrigin, ...from(attacker) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(blocked.headers.get('Set-Cookie')).toBeNull();
    expect((await rest(attacker, apiKey)).status).toBe(429);
    await signIn(newAddress());
  });
});

describe('web sessions', () => {
  it('sign-out ends the session on the server: the old cookie stops working at once', async () => {
    const cookie = await signIn();
    const other = await signIn();
    expect((await appPage('/app/projects', cookie)).status).toBe(200);
    const out = await form('/app/logout', {}, { ...sameOrigin, Cookie: cookie });
    expect(out.status).toBe(303);
    const after = await appPage('/app/projects', cookie);
    expect(after.status).toBe(303);
    expect(after.headers.get('Location')).toBe('/app/');
    expect((await form('/app/projects', { name: 'after sign-out' }, { ...sameOrigin, Cookie: cookie })).status).toBe(
      401,
    );
    expect((await appPage('/app/projects', other)).status).toBe(200);
  });

  it('Origin evil.example with X-Forwarded-Host evil.example is refused on all six actions, and changes nothing', async () => {
    const ctx = await freshProject('same-origin');
    const distinctId = `victim-${randomUUID()}`;
    const captured = await fetch(`${baseUrl}/batch/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        api_key: ctx.project.api_token,
        batch: [{ event: '$pageview', distinct_id: distinctId, properties: { $set: { a: 1 } } }],
      }),
    });
    expect(captured.status).toBe(200);
    let personId = '';
    for (let i = 0; i < 60 && !personId; i++) {
      personId = (await ctx.api.personsByDistinctId(distinctId))[0]?.id ?? '';
      if (!personId) await new Promise((r) => setTimeout(r, 500));
    }
    expect(personId).not.toBe('');
    const cookie = await signIn();
    const attack = { Origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example', Cookie: cookie };
    const name = `evil ${randomUUID()}`;
    const actions: [string, Record<string, string>][] = [
      ['/app/login', { key: apiKey }],
      ['/app/logout', {}],
      ['/app/projects', { name }],
      [`/app/projects/${ctx.project.id}/settings`, { name, timezone: 'UTC', cookieless_server_hash_mode: 'disabled' }],
      [`/app/projects/${ctx.project.id}/persons/${personId}/split`, { confirm: 'yes' }],
      [`/app/projects/${ctx.project.id}/persons/${personId}/delete`, { confirm: 'yes', delete_events: 'yes' }],
    ];
    for (const [path, fields] of actions) {
      const res = await form(path, fields, attack);
      expect(res.status, path).toBe(403);
      expect(res.headers.get('Set-Cookie'), path).toBeNull();
    }
    expect((await appPage('/app/projects', cookie)).status).toBe(200); // not signed out
    const projects = await ctx.rest.request<{ results: { name: string }[] }>('GET', '/api/projects/');
    expect(projects.results.some((p) => p.name === name)).toBe(false);
    expect((await ctx.rest.request<{ name: string }>('GET', `/api/projects/${ctx.project.id}/`)).name).toBe(
      ctx.project.name,
    );
    expect((await ctx.api.person(personId)).distinct_ids).toEqual([distinctId]);
  });
});

describe('project ids', () => {
  it('0x1, %20 1, 1e0, 01 and friends are no project: 404 on REST and in the web app', async () => {
    const ctx = await freshProject('strict ids');
    const id = ctx.project.id;
    const cookie = await signIn();
    const spellings = [`0x${id.toString(16)}`, `%20${id}`, `%20%20${id}`, `${id}e0`, `0${id}`, `+${id}`, `${id}.0`];
    expect((await rest(newAddress(), apiKey, `/api/projects/${id}/persons/`)).status).toBe(200);
    for (const spelling of spellings) {
      for (const path of [
        `/api/projects/${spelling}/`,
        `/api/projects/${spelling}/persons/`,
        `/api/environments/${spelling}/events/`,
      ]) {
        const res = await rest(newAddress(), apiKey, path);
        expect(res.status, path).toBe(404);
      }
      const query = await fetch(`${baseUrl}/api/projects/${spelling}/query/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: { kind: 'EventsQuery', select: ['event'] } }),
      });
      expect(query.status, spelling).toBe(404);
      expect((await appPage(`/app/projects/${spelling}`, cookie)).status, spelling).toBe(404);
    }
  });
});
