/**
 * The web app's sign-in session: a cookie `<expiry>.<nonce>.<signature>`,
 * HMAC-SHA-256 signed with a key derived from PERSONAL_API_KEY (so rotating the
 * key signs everybody out), and honoured only while its nonce is in the
 * `web_sessions` table (session-store.ts; signing out deletes it). HttpOnly,
 * SameSite=Strict, Secure on https, limited to the app's own path.
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

interface SignedSession {
  /** The nonce: the session's key in `web_sessions`. */
  id: string;
  /** Unix seconds. */
  expiresAt: number;
}

/** The session `value` names, when it was signed with `secret` and has not expired at `now` (ms). */
export async function verifySession(
  secret: string,
  value: string | undefined,
  now = Date.now(),
): Promise<SignedSession | undefined> {
  if (!value) return undefined;
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return undefined;
  const payload = `${match[1]}.${match[2]}`;
  const expected = await signature(secret, payload);
  // Compare digests, so the comparison takes the same time wherever the strings differ.
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
    crypto.subtle.digest('SHA-256', encoder.encode(match[3]!)),
  ]);
  if (!crypto.subtle.timingSafeEqual(a, b)) return undefined;
  const expiresAt = Number(match[1]);
  return expiresAt * 1000 > now ? { id: match[2]!, expiresAt } : undefined;
}

/** True when `value` was signed with `secret` and has not expired at `now` (ms); says nothing of sign-out. */
export async function isValidSession(secret: string, value: string | undefined, now = Date.now()): Promise<boolean> {
  return (await verifySession(secret, value, now)) !== undefined;
}

/**
 * A mutating request must come from a page of this same origin, judged only by
 * what the browser itself sends: `Sec-Fetch-Site` (which pages cannot set) says
 * so directly; without it, `Origin` must name the host the request was made to.
 * Never a forwarding header such as `X-Forwarded-Host`: any client can send one.
 */
export function isSameOrigin(request: Request): boolean {
  const site = request.headers.get('Sec-Fetch-Site');
  if (site !== null) return site === 'same-origin';
  const origin = request.headers.get('Origin');
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === new URL(request.url).host.toLowerCase();
  } catch {
    return false;
  }
}
