import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser';
import { freshProject, type SuiteContext } from './context';
import { startSite, type Site, type SiteOptions } from './site';

export interface BrowserSuite {
  ctx: SuiteContext;
  site: Site;
  browser: Browser;
}

/**
 * What a browser suite starts from, set up before the describe block's tests and closed after them:
 * a fresh project, a site in front of it that serves posthog-js and proxies `/ingest`, and headless
 * Chromium. `ready` gets them once all three are up.
 */
export function siteAndBrowser(
  name: string,
  site: Omit<SiteOptions, 'upstream' | 'token'>,
  ready: (suite: BrowserSuite) => void,
): void {
  const started: Partial<BrowserSuite> = {};
  beforeAll(async () => {
    const ctx = await freshProject(name);
    started.ctx = ctx;
    started.site = await startSite({ upstream: ctx.baseUrl, token: ctx.project.api_token, ...site });
    started.browser = await launchChromium();
    ready(started as BrowserSuite);
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.site?.close();
  });
}
