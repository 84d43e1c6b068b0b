/**
 * The web app's sign-in session: a stateless cookie `<expiry>.<nonce>.<signature>`,
 * HMAC-SHA-256 signed with a key derived from PERSONAL_API_KEY (so rotating the
 * key signs everybody out). HttpOnly, SameSite=Strict, Secure on https, limited
 * to the app's own path.
 */

export const SESSION_COOKIE = 'phe_session';
export const SESSION_TTL_SECONDS = 12 * 3600;

const encoder = new TextEncoder();

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = '';
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function signingKey(secret: string): Promise<CryptoKey> {
  // A key of its own for sessions, never the API key itself.
  const material = await crypto.subtle.digest('SHA-256', encoder.encode(`web-session\u0000${secret}`));
  return crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function signature(secret: string, payload: string): Promise<string> {
  return base64url(await crypto.subtle.sign('HMAC', await signingKey(secret), encoder.encode(payload)));
}

/** A new session value, valid for `ttlSeconds` from `now` (ms). */
export async function issueSession(
  secret: string,
  now = Date.now(),
  ttlSeconds = SESSION_TTL_SECONDS,
): Promise<string> {
  const expiry = Math.floor(now / 1000) + ttlSeconds;
  const payload = `${expiry}.${base64url(crypto.getRandomValues(new Uint8Array(12)))}`;
  return `${payload}.${await signature(secret, payload)}`;
}

/** True when `value` was signed with `secret` and has not expired at `now` (ms). */
export async function isValidSession(secret: string, value: string | undefined, now = Date.now()): Promise<boolean> {
  if (!value) return false;
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return false;
  const payload = `${match[1]}.${match[2]}`;
  const expected = await signature(secret, payload);
  // Compare digests, so the comparison takes the same time wherever the strings differ.
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
    crypto.subtle.digest('SHA-256', encoder.encode(match[3]!)),
  ]);
  if (!crypto.subtle.timingSafeEqual(a, b)) return false;
  return Number(match[1]) * 1000 > now;
}

/**
 * A mutating request must come from a page of this same origin. The browser's
 * `Sec-Fetch-Site` says so directly; without it, `Origin` must name this host
 * (or the host a first-party proxy forwarded for, `X-Forwarded-Host`).
 */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get('Sec-Fetch-Site');
  if (site !== null) return site === 'same-origin';
  const origin = request.headers.get('Origin');
  if (!origin || origin === 'null') return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [new URL(request.url).host, request.headers.get('Host'), request.headers.get('X-Forwarded-Host')];
  return hosts.some((h) => h !== null && h !== '' && h.toLowerCase() === originHost.toLowerCase());
}
