#!/usr/bin/env node
// `npm start`: local migrations (catalog and every shard), a ready local project and key, then `wrangler dev`.
// Extra arguments go to `wrangler dev` (e.g. `npm start -- --port 8788`).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { buildAssets } from './build-assets.mjs';
import { migrateAllDatabases } from './lib/d1-migrate.mjs';

const wranglerBin = new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url).pathname;
const extraArgs = process.argv.slice(2);
const persistIndex = extraArgs.indexOf('--persist-to');
const persistArgs = persistIndex >= 0 ? ['--persist-to', extraArgs[persistIndex + 1]] : [];
const portIndex = extraArgs.indexOf('--port');
const port = portIndex >= 0 ? extraArgs[portIndex + 1] : '8787';

// No telemetry, and no fetch of workers.cloudflare.com/cf.json (offline it printed a stack trace
// twice; locally every request gets the same placeholder location either way: docs/proxying.md).
// Set either variable yourself to override.
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
};
const wrangler = (args) =>
  execFileSync(process.execPath, [wranglerBin, ...args], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });

function d1(sql) {
  const out = wrangler(['d1', 'execute', 'DB', '--local', ...persistArgs, '--json', '--command', sql]);
  return JSON.parse(out)[0]?.results ?? [];
}

/** The key .dev.vars.example used to ship; a .dev.vars copied from it gets a random one. */
const OLD_FIXED_KEY = 'phx_local_dev_key_change_me';
const { apiKey, created: keyCreated } = localApiKey();

buildAssets();
await migrateAllDatabases({
  root: new URL('..', import.meta.url).pathname,
  persistTo: persistArgs[1],
  env,
  log: (line) => console.log(line),
});

let [project] = d1('SELECT id, name, api_token FROM projects ORDER BY id LIMIT 1');
if (!project) {
  const token = `phc_${localToken()}`;
  d1(`INSERT INTO projects (name, api_token) VALUES ('Local project', '${token}')`);
  [project] = d1('SELECT id, name, api_token FROM projects ORDER BY id LIMIT 1');
}

const url = `http://localhost:${port}`;
console.log(`
  PostHog-compatible ingestion is starting at ${url}

  Project:        ${project.name} (id ${project.id})
  Project token:  ${project.api_token}
  REST API key:   ${keyCreated ? `${apiKey}  (new, random; kept in .dev.vars, shown this once)` : 'PERSONAL_API_KEY in .dev.vars'}
  Web app:        ${url}/app/  (sign in with the REST API key)

  posthog-js:     posthog.init('${project.api_token}', { api_host: '${url}/ingest' })
  posthog-node:   new PostHog('${project.api_token}', { host: '${url}' })
  curl:           curl -X POST ${url}/i/v0/e/ -H 'Content-Type: application/json' \\
                    -d '{"api_key":"${project.api_token}","event":"hello","distinct_id":"me"}'
  REST:           curl ${url}/api/projects/${project.id}/persons/ -H "Authorization: Bearer ${keyCreated ? apiKey : "$(sed -n 's/^PERSONAL_API_KEY=//p' .dev.vars)"}"
  Locations:      every local request gets wrangler's placeholder location (Austin, US);
                  to send real ones, see docs/proxying.md ("Locally")
`);

const devArgs = portIndex >= 0 ? extraArgs.toSpliced(portIndex, 2) : extraArgs;
// The local queue lives in memory: the journal keeps accepted events across a killed process
// (src/queue/journal.ts; docs/guarantees.md).
const journalArgs = ['--var', 'LOCAL_ACCEPT_JOURNAL:on'];
const child = spawn(process.execPath, [wranglerBin, 'dev', '--port', port, ...journalArgs, ...devArgs], {
  env,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

/**
 * The local PERSONAL_API_KEY from .dev.vars. On the first run (no .dev.vars) it writes one: the
 * comments of .dev.vars.example and a new random `phx_` key. A .dev.vars still holding the fixed
 * key earlier versions shipped gets a random one in its place.
 */
function localApiKey() {
  const fresh = () => `phx_${randomBytes(24).toString('hex')}`;
  if (!existsSync('.dev.vars')) {
    const apiKey = fresh();
    const example = existsSync('.dev.vars.example') ? readFileSync('.dev.vars.example', 'utf8') : '';
    writeFileSync(
      '.dev.vars',
      `${example}${example && !example.endsWith('\n') ? '\n' : ''}PERSONAL_API_KEY=${apiKey}\n`,
      {
        mode: 0o600,
      },
    );
    console.log('Created .dev.vars with a new random PERSONAL_API_KEY');
    return { apiKey, created: true };
  }
  const vars = readFileSync('.dev.vars', 'utf8');
  const apiKey = /^PERSONAL_API_KEY=(.*)$/m.exec(vars)?.[1]?.trim();
  if (apiKey === undefined || apiKey === '' || apiKey === OLD_FIXED_KEY) {
    const replacement = fresh();
    const line = `PERSONAL_API_KEY=${replacement}`;
    const updated =
      apiKey === undefined
        ? `${vars}${vars.endsWith('\n') || vars === '' ? '' : '\n'}${line}\n`
        : vars.replace(/^PERSONAL_API_KEY=.*$/m, line);
    writeFileSync('.dev.vars', updated);
    console.log(`${apiKey ? 'Replaced the fixed' : 'Added a'} PERSONAL_API_KEY in .dev.vars with a new random one`);
    return { apiKey: replacement, created: true };
  }
  return { apiKey, created: false };
}

/** 43 random letters and digits, as src/db/projects.ts newProjectToken makes them (PostHog's token shape). */
function localToken() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let token = '';
  while (token.length < 43) {
    for (const byte of randomBytes(64)) if (byte < 248 && token.length < 43) token += alphabet[byte % 62];
  }
  return token;
}
