// The service under test: an isolated `wrangler dev` (scripts/lib/wrangler-instance.mjs) with
// its own port, inspector port and persistence directory, local D1 migrations applied first.
// E2E_KEEP=1 leaves the persistence directory and wrangler.log in place.
import { randomBytes } from 'node:crypto';
import { startIsolatedWrangler, type WranglerInstance } from '../../../scripts/lib/wrangler-instance.mjs';

export type Service = WranglerInstance;

/**
 * The shared secret the suites' reverse-proxy site sends (X-Proxy-Secret), so the
 * service takes the visitor's address and location from the headers it forwards.
 */
export const proxySecret = () => `e2e-proxy-${randomBytes(16).toString('hex')}`;

export function startService(secret: string): Promise<Service> {
  return startIsolatedWrangler({
    // As `npm start`: accepted events survive a killed process (src/queue/journal.ts).
    vars: { PROXY_SECRET: secret, LOCAL_ACCEPT_JOURNAL: 'on' },
    tmpPrefix: 'posthog-e2e-',
    apiKeyPrefix: 'phx_e2e_',
    logLevel: 'log',
    keep: Boolean(process.env.E2E_KEEP),
  });
}
