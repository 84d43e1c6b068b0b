// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a record of
// everything that went wrong on the page: console errors, page errors, and requests to the
// service (`/ingest/...`) that failed or answered >= 400.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { decodeCapture } from './capture-payload';

export const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
  /** Requests the browser cancelled (the visitor navigated away): not failures, but they explain lost events. */
  abortedRequests: string[];
}

/** A new visitor: own cookies and localStorage, one page, problems recorded. */
export async function newVisitor(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], failedRequests: [], abortedRequests: [] };
  const ours = (url: string) => new URL(url).pathname.startsWith('/ingest');
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const where = message.location().url ? ` (at ${message.location().url})` : '';
      problems.consoleErrors.push(`${message.text()}${where}`);
    }
  });
  page.on('pageerror', (err) => problems.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (request) => {
    // ERR_ABORTED is the browser cancelling an in-flight request because the visitor navigated
    // away, not an answer from the service.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') {
      if (ours(request.url()))
        problems.abortedRequests.push(
          `${request.method()} ${request.url()}${describeBody(request.postDataBuffer(), request.headers()['content-type'])}`,
        );
      return;
    }
    if (ours(request.url()))
      problems.failedRequests.push(`${request.method()} ${request.url()} failed: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (ours(response.url()) && response.status() >= 400) {
      problems.failedRequests.push(`${response.request().method()} ${response.url()} → ${response.status()}`);
    }
  });
  return { context, page, problems };
}

function describeBody(body: Buffer | null, contentType: string | undefined): string {
  if (!body?.length) return '';
  try {
    return ` carrying ${decodeCapture(contentType, body)
      .map((e) => `${e.event} from ${e.distinct_id}`)
      .join(', ')}`;
  } catch {
    return ` (${body.length} bytes)`;
  }
}

/** Opens a page of the site and waits until posthog-js has loaded and initialised. */
export async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(
    () => (globalThis as unknown as { __posthogLoaded?: boolean }).__posthogLoaded === true,
    undefined,
    {
      timeout: 15_000,
    },
  );
}

/** The part of posthog-js's API the suites call. */
export type PostHogGlobal = {
  __loaded?: boolean;
  get_distinct_id(): string;
  identify(id: string, set?: Record<string, unknown>, setOnce?: Record<string, unknown>): void;
  capture(event: string, properties?: Record<string, unknown>): void;
  setPersonProperties(set: Record<string, unknown>): void;
  group(groupType: string, groupKey: string, groupProperties?: Record<string, unknown>): void;
  reset(): void;
  opt_in_capturing(): void;
  opt_out_capturing(): void;
};
/**
 * Calls posthog-js inside the page: `ph(page, (p, id) => p.identify(id as string), user)`.
 * `fn` is serialised, so it may only use its two arguments.
 */
export const ph = <T>(page: Page, fn: (posthog: PostHogGlobal, arg: unknown) => T, arg?: unknown) =>
  page.evaluate(
    ([source, a]) =>
      new Function('posthog', 'arg', `return (${source})(posthog, arg)`)(
        (globalThis as unknown as { posthog: unknown }).posthog,
        a,
      ),
    [fn.toString(), arg] as const,
  ) as Promise<T>;

/** Signs the page in to the web app at `baseUrl` with the personal API key and waits for the projects list. */
export async function signInApp(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/app/`);
  await page.getByLabel('Personal API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/projects$/);
}
