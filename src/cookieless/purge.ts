import { dbOf } from '../db/client';
import { shardDatabases } from '../db/shards';
import type { Env } from '../env';
import { purgeExpiredCookielessState } from './salts';

/**
 * Deletes expired cookieless salts and bookkeeping on every shard (for the
 * scheduled handler; salt creation also purges lazily).
 */
export async function purgeExpiredCookieless(env: Env, now = Date.now()): Promise<void> {
  for (const database of shardDatabases(env)) await purgeExpiredCookielessState(dbOf(database), now);
}
