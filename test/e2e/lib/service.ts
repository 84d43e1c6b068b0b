// The service under test: an isolated `wrangler dev` with its own port, inspector port and
// persistence directory, local D1 migrations applied first.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const wranglerBin = path.join(repoRoot, 'node_modules/wrangler/bin/wrangler.js');
const wranglerEnv = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };

export interface Service {
  baseUrl: string;
  apiKey: string;
  persistDir: string;
  logFile: string;
  /** The last lines wrangler printed, for failure messages. */
  recentLog(): string;
  stop(): Promise<void>;
}

export async function startService(): Promise<Service> {
  const persistDir = mkdtempSync(path.join(tmpdir(), 'posthog-e2e-'));
  const logFile = path.join(persistDir, 'wrangler.log');
  const apiKey = `phx_e2e_${randomBytes(24).toString('hex')}`;

  await promisify(execFile)(
    process.execPath,
    [wranglerBin, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir],
    { cwd: repoRoot, env: wranglerEnv, timeout: 120_000 },
  ).catch((err: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`applying D1 migrations failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  });

  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      wranglerBin, 'dev',
      '--ip', '127.0.0.1',
      '--port', String(port),
      '--inspector-port', String(inspectorPort),
      '--persist-to', persistDir,
      '--var', `PERSONAL_API_KEY:${apiKey}`,
      '--show-interactive-dev-session=false',
      '--log-level', 'log',
    ],
    // A process group of its own, so stopping it also stops workerd.
    { cwd: repoRoot, env: wranglerEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  let tail = '';
  const record = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  // Last resort when the run is interrupted before teardown.
  const killGroup = () => {
    killProcessGroup(child, 'SIGKILL');
    if (!process.env.E2E_KEEP) rmSync(persistDir, { recursive: true, force: true });
  };
  process.on('exit', killGroup);

  const baseUrl = `http://127.0.0.1:${port}`;
  const service: Service = {
    baseUrl,
    apiKey,
    persistDir,
    logFile,
    recentLog: () => tail,
    async stop() {
      process.off('exit', killGroup);
      await stopProcessGroup(child);
      log.end();
      if (!process.env.E2E_KEEP) rmSync(persistDir, { recursive: true, force: true });
    },
  };

  try {
    await waitForReadiness(baseUrl, child, () => tail);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

async function waitForReadiness(baseUrl: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
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
  throw new Error(`wrangler dev not ready at ${baseUrl} after 120 s (${last}):\n${log()}`);
}

function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killProcessGroup(child, 'SIGKILL'); // workerd may outlive wrangler
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killProcessGroup(child, 'SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5_000))]);
  killProcessGroup(child, 'SIGKILL');
  if (timedOut) await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
}
