// Wrong personal API keys are counted per client address with the Rate Limiting binding
// (AUTH_FAILURES; vitest.config.ts sets its limit to 1,000 a minute for this runtime, wrangler.toml
// 10), shared by the REST API and the web sign-in. test/e2e/auth-limits.test.ts checks the
// deployed numbers against wrangler dev.
import { describe, expect, it } from 'vitest';
import { API_KEY, fetchWorker, SAME_ORIGIN } from '../support';

const randomOctet = () => Math.floor(Math.random() * 250) + 1;
/** An address no other test uses: each test starts with no failures counted. */
const addressOf = () => `10.${randomOctet()}.${randomOctet()}.${randomOctet()}`;

const rest = (ip: string, key: string | null, path = '/api/projects/') =>
  fetchWorker(path, {
    headers: { 'CF-Connecting-IP': ip, ...(key === null ? {} : { Authorization: `Bearer ${key}` }) },
  });
const signInAs = (ip: string, key: string) =>
  fetchWorker('/app/login', {
    method: 'POST',
    headers: { ...SAME_ORIGIN, 'CF-Connecting-IP': ip, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key }),
    redirect: 'manual',
  });

/** The minute-long window of the local limiter must not roll over mid-test. */
async function atStartOfWindow() {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
}

describe('wrong personal API keys are rate limited per client address', () => {
  it('REST: 401 until the limit, then 429 with Retry-After for every key, the right one included; other addresses unaffected', async () => {
    await atStartOfWindow();
    const attacker = addressOf();
    const bystander = addressOf();
    const statuses: number[] = [];
    let throttled: Response | undefined;
    for (let i = 0; i < 1100 && !throttled; i++) {
      const res = await rest(attacker, `phx_guess_${i}`);
      statuses.push(res.status);
      if (res.status === 429) throttled = res;
    }
    expect(throttled, 'no 429 within 1,100 wrong keys').toBeDefined();
    // Every answer before the first 429 was a 401: the limit counts failures, it does not refuse early.
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([401]));
    expect(statuses.length).toBeGreaterThan(1000);
    const retryAfter = Number(throttled!.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await throttled!.json()).toMatchObject({ type: 'throttled_error', code: 'throttled' });

    // Blocked: not even the right key is compared any more (so guessing gains nothing).
    const right = await rest(attacker, API_KEY);
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('Retry-After'))).toBeLessThanOrEqual(60);
    // No credential at all from the blocked address: also 429.
    expect((await rest(attacker, null)).status).toBe(429);
    // One attacker locks out nobody else.
    expect((await rest(bystander, API_KEY)).status).toBe(200);
    expect((await rest(bystander, 'phx_wrong')).status).toBe(401);
  });

  it('the web sign-in shares the count: an address blocked through REST gets 429 at sign-in, at once', async () => {
    await atStartOfWindow();
    const attacker = addressOf();
    let status = 0;
    for (let i = 0; i < 1100 && status !== 429; i++) status = (await rest(attacker, `phx_guess_${i}`)).status;
    expect(status).toBe(429);
    const started = Date.now();
    const res = await signInAs(attacker, API_KEY);
    expect(res.status).toBe(429);
    expect(Date.now() - started).toBeLessThan(1000); // no wrong-key wait: nothing was compared
    expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(res.headers.get('Set-Cookie')).toBeNull();
    expect(await res.text()).toContain('Too many wrong keys from your address');
    // Another address signs in.
    expect((await signInAs(addressOf(), API_KEY)).status).toBe(303);
  });

  it('right keys are never counted', async () => {
    await atStartOfWindow();
    const busy = addressOf();
    // A project that cannot exist: authenticated, then 404 without reading D1 (keeps the loop quick).
    for (let i = 0; i < 1100; i += 1) {
      const res = await rest(busy, API_KEY, '/api/projects/0/persons/');
      if (res.status !== 404) throw new Error(`request ${i} with the right key answered ${res.status}`);
    }
    expect((await rest(busy, 'phx_wrong')).status).toBe(401);
  });
});
