#!/usr/bin/env node
// `npm start`: local migrations (catalog and every shard), a ready local project and key, then `wrangler dev`.
// Extra arguments go to `wrangler dev` (e.g. `npm start -- --port 8788`).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { buildAssets } from './build-assets.mjs';
import { migrateAllDatabases } from './lib/d1-migrate.mjs';

const wranglerBin = new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url).pathname;
const extraArgs = process.argv.slice(2);
const persistIndex = extraArgs.indexOf('--persist-to');
const persistArgs = persistIndex >= 0 ? ['--persist-to', extraArgs[persistIndex + 1]] : [];
const portIndex = extraArgs.indexOf('--port');
const port = portIndex >= 0 ? extraArgs[portIndex + 1] : '8787';

const wrangler = (args) =>
  execFileSync(process.execPath, [wranglerBin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

function d1(sql) {
  const out = wrangler(['d1', 'execute', 'DB', '--local', ...persistArgs, '--json', '--command', sql]);
  return JSON.parse(out)[0]?.results ?? [];
}

if (!existsSync('.dev.vars')) {
  copyFileSync('.dev.vars.example', '.dev.vars');
  console.log('Created .dev.vars from .dev.vars.example');
}
const apiKey = /^PERSONAL_API_KEY=(.*)$/m.exec(readFileSync('.dev.vars', 'utf8'))?.[1]?.trim();

buildAssets();
await migrateAllDatabases({
  root: new URL('..', import.meta.url).pathname,
  persistTo: persistArgs[1],
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
  REST API key:   ${apiKey ?? '(set PERSONAL_API_KEY in .dev.vars)'}
  Web app:        ${url}/app/  (sign in with the REST API key)

  posthog-js:     posthog.init('${project.api_token}', { api_host: '${url}/ingest' })
  posthog-node:   new PostHog('${project.api_token}', { host: '${url}' })
  curl:           curl -X POST ${url}/i/v0/e/ -H 'Content-Type: application/json' \\
                    -d '{"api_key":"${project.api_token}","event":"hello","distinct_id":"me"}'
  REST:           curl ${url}/api/projects/${project.id}/persons/ -H 'Authorization: Bearer ${apiKey}'
`);

const devArgs = portIndex >= 0 ? extraArgs.toSpliced(portIndex, 2) : extraArgs;
const child = spawn(process.execPath, [wranglerBin, 'dev', '--port', port, ...devArgs], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

/** 43 random letters and digits, as src/db/projects.ts newProjectToken makes them (PostHog's token shape). */
function localToken() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let token = '';
  while (token.length < 43) {
    for (const byte of randomBytes(64)) if (byte < 248 && token.length < 43) token += alphabet[byte % 62];
  }
  return token;
}
