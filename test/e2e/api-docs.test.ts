// The API reference at /api/docs, opened in headless Chromium with every request to another
// origin blocked: the page must render from this service alone and must not even try to reach
// a third party (a CDN, web fonts, telemetry).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './lib/browser';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

describe('API reference at /api/docs, offline', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders with the network cut off and asks no other origin for anything', async () => {
    const { baseUrl } = inject('service');
    const context = await browser.newContext();
    const attempted = new Set<string>();
    const elsewhere = () => [...attempted];
    const pageErrors: string[] = [];
    // Everything the page asks for goes through here; only the service itself is reachable.
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !LOCAL_HOSTS.has(url.hostname)) {
        attempted.add(`${route.request().method()} ${url.href}`);
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    context.on('request', (request) => {
      const url = new URL(request.url());
      // Also what never reaches the router (e.g. a service worker's own fetches).
      if (url.protocol !== 'data:' && url.protocol !== 'blob:' && !LOCAL_HOSTS.has(url.hostname))
        attempted.add(`${request.method()} ${url.href}`);
    });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const failedLocal: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failedLocal.push(`${response.url()} → ${response.status()}`);
    });

    const res = await page.goto(`${baseUrl}/api/docs`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);

    // Rendered: the document's title, and the operations of the REST API as Scalar lists them.
    const rendered = await page
      .getByText('PostHog-compatible ingestion: dashboard REST API')
      .first()
      .waitFor({ timeout: 30_000 })
      .then(
        () => true,
        () => false,
      );
    expect(rendered, `reference not rendered; requests to other origins: ${elsewhere().join(', ') || 'none'}`).toBe(
      true,
    );
    await expect.poll(() => page.locator('body').innerText(), { timeout: 30_000 }).toMatch(/persons/i);
    const text = await page.locator('body').innerText();
    expect(text).toMatch(/ingestion_warnings|ingestion warnings/i);
    // Lazy requests (fonts, telemetry, chunks) would start once the reference is on screen.
    await page.waitForLoadState('networkidle');

    expect(elsewhere(), 'requests to other origins').toEqual([]);
    expect(pageErrors, 'uncaught errors on the page').toEqual([]);
    expect(failedLocal, 'requests to the service that failed').toEqual([]);
    await context.close();
  });
});
