import type { D1Migration } from 'cloudflare:test';
import type { Env } from '../src/env';

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import('../src/index');
    }
    interface Env extends Omit<import('../src/env').Env, never> {
      TEST_MIGRATIONS: D1Migration[];
      // Omit<> keeps only the SHARD_${number} index signature; tests run with two shards.
      SHARD_0: D1Database;
      SHARD_1: D1Database;
      PERSONAL_API_KEY: string;
    }
  }
}
export type { Env };
