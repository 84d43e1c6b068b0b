import type { D1Migration } from 'cloudflare:test';
import type { Env } from '../src/env';

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
    interface Env extends Omit<import('../src/env').Env, never> {
      TEST_MIGRATIONS: D1Migration[];
      PERSONAL_API_KEY: string;
    }
  }
}
export type { Env };
