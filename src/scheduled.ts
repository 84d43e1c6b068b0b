import { checkShardFill } from './db/storage';
import type { Env } from './env';
import { applyRetention } from './retention/retention';

/** The Cron Trigger (wrangler.toml [triggers]): retention with its R2 archive, then the shards' fill levels. */
export async function runScheduled(env: Env, now = Date.now()): Promise<void> {
  const retention = await applyRetention(env, now);
  for (const r of retention) {
    if (r.deleted > 0 || r.error) console.log(`retention: project ${r.projectId} deleted ${r.deleted} events before ${r.cutoff}, archived ${r.archived.length} parts${r.error ? `; stopped: ${r.error}` : ''}`);
  }
  await checkShardFill(env, { now });
}
