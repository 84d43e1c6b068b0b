// One command for the migrations of every D1 database in wrangler.toml: the catalog (DB)
// and each shard (SHARD_0 … SHARD_<n-1>) get the same migrations/ (tables a database does
// not use stay empty). Used by `npm run db:migrate`, `npm start`, the benchmarks and e2e.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The binding names of the `[[d1_databases]]` tables of a wrangler.toml, in file order, one
 * per database: a binding sharing another's database_id (SHARD_0 on an upgraded deployment's
 * original database, README "Deploy") is migrated once, under the first binding.
 */
export function d1Bindings(wranglerToml) {
  const bindings = [];
  const seen = new Set();
  for (const block of wranglerToml.split(/^\s*\[/m)) {
    if (!block.startsWith('[d1_databases]]')) continue;
    const binding = /^\s*binding\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const id = /^\s*database_id\s*=\s*"([^"]+)"/m.exec(block)?.[1] ?? binding;
    if (binding && !seen.has(id)) bindings.push(binding);
    seen.add(id);
  }
  return bindings;
}

/**
 * Applies migrations/ to every D1 database of `root`'s wrangler.toml, locally (default) or
 * remotely; `persistTo` as `wrangler --persist-to`. Resolves with the bindings once all are applied.
 */
export async function migrateAllDatabases({ root, remote = false, persistTo, env = process.env, log = () => {} }) {
  const wranglerBin = path.join(root, 'node_modules/wrangler/bin/wrangler.js');
  const bindings = d1Bindings(readFileSync(path.join(root, 'wrangler.toml'), 'utf8'));
  const where = remote ? ['--remote'] : ['--local', ...(persistTo ? ['--persist-to', persistTo] : [])];
  const apply = async (binding) => {
    log(`Applying D1 migrations to ${binding} (${remote ? 'remote' : 'local'})…`);
    try {
      await promisify(execFile)(process.execPath, [wranglerBin, 'd1', 'migrations', 'apply', binding, ...where], {
        cwd: root,
        env: { ...env, CI: '1' },
        timeout: remote ? 180_000 : 60_000,
      });
    } catch (err) {
      throw new Error(
        `applying D1 migrations to ${binding} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`,
      );
    }
  };
  // In parallel: each database is its own SQLite file (or remote database). Local runs share
  // the persist directory's own state, so one may fail to start (SQLITE_BUSY): those are
  // applied again, one at a time, once the others are done (applying is idempotent).
  const first = await Promise.allSettled(bindings.map(apply));
  for (const [i, outcome] of first.entries()) {
    if (outcome.status === 'fulfilled') continue;
    log(`${outcome.reason.message.split('\n')[0]}; trying ${bindings[i]} again on its own`);
    await apply(bindings[i]);
  }
  return bindings;
}
