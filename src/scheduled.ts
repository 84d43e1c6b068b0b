import { purgeExpiredCookieless } from './cookieless';
import { dbOf } from './db/client';
import { checkShardFill } from './db/storage';
import type { Env } from './env';
import { expireEvents } from './expiry/expire-events';
import { resendStaleAccepted } from './queue/journal';
import { deleteExpiredSessions } from './web/session-store';

/**
 * The hourly Cron Trigger (wrangler.toml [triggers]): retention with its R2
 * archive, expired cookieless salts, the shards' fill levels, expired web
 * sessions. Each step
 * runs even when an earlier one failed.
 */
export async function runScheduled(env: Env, now = Date.now()): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['retention', () => logRetention(env, now)],
    ['cookieless clean-up', () => purgeExpiredCookieless(env, now)],
    ['shard fill check', () => checkShardFill(env, { now })],
    ['expired web sessions', () => deleteExpiredSessions(dbOf(env.DB), now)],
    ['local acceptance journal', () => resendStaleAccepted(env, now)],
  ];
  const failures: unknown[] = [];
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      console.error(`scheduled ${name} failed`, error);
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, 'scheduled steps failed');
}

async function logRetention(env: Env, now: number): Promise<void> {
  for (const r of await expireEvents(env, now)) {
    if (r.deleted > 0 || r.error) {
      console.log(
        `retention: project ${r.projectId} deleted ${r.deleted} events before ${r.cutoff}, ` +
          `archived ${r.archived.length} parts${r.error ? `; stopped: ${r.error}` : ''}`,
      );
    }
  }
}
