// An isolated `wrangler dev` of this service, shared by the benchmarks (bench/) and the
// end-to-end suite (test/e2e/): its own persistence directory with the local D1 migrations
// applied to the catalog and every shard, its own port and inspector port, a random PERSONAL_API_KEY, ready once
// /_readiness answers 200. Plain ESM so both `node bench/run.mjs` and vitest load it as is;
// types in wrangler-instance.d.mts.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildAssets } from '../build-assets.mjs';
import { migrateAllDatabases } from './d1-migrate.mjs';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
// No telemetry, and no fetch of workers.cloudflare.com/cf.json: offline it printed a stack trace, and
// the local `request.cf` is a placeholder either way (docs/proxying.md, "Locally").
const wranglerEnv = {
  ...process.env,
  CI: '1',
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
};
const wranglerBinOf = (root) => path.join(root, 'node_modules/wrangler/bin/wrangler.js');
const READY_WITHIN_MS = 120_000;

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export async function wranglerVersion({ root = repoRoot } = {}) {
  const { stdout } = await promisify(execFile)(process.execPath, [wranglerBinOf(root), '--version'], {
    cwd: root,
    env: wranglerEnv,
  });
  return stdout.trim().split('\n').pop();
}

/** Starts the instance; resolves once /_readiness answers 200 (see the .d.mts for the options). */
export async function startIsolatedWrangler({
  root = repoRoot,
  entry,
  tmpPrefix = 'posthog-wrangler-',
  apiKeyPrefix = 'phx_',
  vars = {},
  logLevel = 'warn',
  extraArgs = [],
  keep = false,
  onLine,
  restartOf,
} = {}) {
  const wranglerBin = wranglerBinOf(root);
  buildAssets({ root });
  // A restart runs on the stopped instance's directory, already migrated, with the same key.
  const persistDir = restartOf?.persistDir ?? mkdtempSync(path.join(tmpdir(), tmpPrefix));
  const logFile = path.join(persistDir, restartOf ? `wrangler-${Date.now()}.log` : 'wrangler.log');
  const apiKey = restartOf?.apiKey ?? `${apiKeyPrefix}${randomBytes(24).toString('hex')}`;
  const removePersistDir = () => {
    if (!keep) rmSync(persistDir, { recursive: true, force: true });
  };

  if (!restartOf) {
    try {
      await migrateAllDatabases({ root, persistTo: persistDir, env: wranglerEnv });
    } catch (err) {
      removePersistDir();
      throw err;
    }
  }

  const port = await freePort();
  const inspectorPort = await freePort();
  const varArgs = Object.entries({ ...vars, PERSONAL_API_KEY: apiKey }).flatMap(([name, value]) => [
    '--var',
    `${name}:${value}`,
  ]);
  const child = spawn(
    process.execPath,
    [
      wranglerBin,
      'dev',
      ...(entry ? [entry] : []),
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persistDir,
      ...varArgs,
      '--show-interactive-dev-session=false',
      '--log-level',
      logLevel,
      ...extraArgs,
    ],
    // A process group of its own, so stopping it also stops workerd.
    { cwd: root, env: wranglerEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  let tail = '';
  let partial = '';
  const record = (chunk) => {
    log.write(chunk);
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8000);
    if (!onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);
  // Last resort when the run ends (or is interrupted) before stop().
  const onExit = () => {
    killProcessGroup(child, 'SIGKILL');
    removePersistDir();
  };
  process.on('exit', onExit);

  const baseUrl = `http://127.0.0.1:${port}`;
  const instance = {
    baseUrl,
    port,
    inspectorPort,
    apiKey,
    persistDir,
    logFile,
    pid: child.pid,
    recentLog: () => tail,
    async stop() {
      process.off('exit', onExit);
      await stopProcessGroup(child);
      await new Promise((resolve) => log.end(resolve));
      removePersistDir();
    },
    async kill() {
      process.off('exit', onExit);
      const exited = new Promise((resolve) => child.once('exit', () => resolve()));
      killProcessGroup(child, 'SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await exited;
      await new Promise((resolve) => log.end(resolve));
    },
  };

  try {
    await waitForReadiness(baseUrl, child, () => tail);
  } catch (err) {
    await instance.stop();
    throw err;
  }
  return instance;
}

async function waitForReadiness(baseUrl, child, log) {
  const deadline = Date.now() + READY_WITHIN_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/_readiness`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) return;
      last = `GET /_readiness → ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev not ready at ${baseUrl} after ${READY_WITHIN_MS / 1000} s (${last}):\n${log()}`);
}

function killProcessGroup(child, signal = 'SIGTERM') {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopProcessGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    killProcessGroup(child, 'SIGKILL'); // workerd may outlive wrangler
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  killProcessGroup(child, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), 5_000))]);
  killProcessGroup(child, 'SIGKILL');
  if (timedOut) await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
}
