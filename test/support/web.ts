// The web app as a signed-in browser sees it: a session cookie, and pages fetched with it.
import { expect } from 'vitest';
import { API_KEY, fetchWorker } from './worker';

export const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };

/** Signs in with the personal API key under `base` (the app's mount) and returns the `Cookie` header value. */
export async function signIn(base = '/app'): Promise<string> {
  const res = await fetchWorker(`${base}/login`, {
    method: 'POST',
    headers: { ...SAME_ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ key: API_KEY }),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('Set-Cookie') ?? '';
  const value = /phe_session=([^;]+)/.exec(cookie)?.[1];
  if (!value) throw new Error(`no session cookie in ${cookie}`);
  return `phe_session=${value}`;
}

/** A page of the app, fetched with the session cookie (redirects not followed). */
export async function page(path: string, cookie: string) {
  const res = await fetchWorker(path, { headers: { Cookie: cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** Text as the page's HTML escapes it, read back (JSX escapes &, <, >, " and '). */
export const decodeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
