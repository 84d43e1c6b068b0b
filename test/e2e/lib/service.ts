// The service under test: an isolated `wrangler dev` (scripts/lib/wrangler-instance.mjs) with
// its own port, inspector port and persistence directory, local D1 migrations applied first.
// E2E_KEEP=1 leaves the persistence directory and wrangler.log in place.
import { startIsolatedWrangler, type WranglerInstance } from '../../../scripts/lib/wrangler-instance.mjs';

export type Service = WranglerInstance;

export function startService(): Promise<Service> {
  return startIsolatedWrangler({
    tmpPrefix: 'posthog-e2e-',
    apiKeyPrefix: 'phx_e2e_',
    logLevel: 'log',
    keep: Boolean(process.env.E2E_KEEP),
  });
}
