// An isolated `wrangler dev` for the benchmarks: own port, inspector port and
// persistence directory, local D1 migrations applied first, bench routes on.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// BENCH_ROOT: run another checkout (e.g. an instrumented copy while profiling).
export const repoRoot = process.env.BENCH_ROOT ?? path.resolve(import.meta.dirname, '../..');
const wranglerBin = path.join(repoRoot, 'node_modules/wrangler/bin/wrangler.js');
const wranglerEnv = { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function wranglerVersion() {
  const { stdout } = await promisify(execFile)(process.execPath, [wranglerBin, '--version'], { cwd: repoRoot, env: wranglerEnv });
  return stdout.trim().split('\n').pop();
}

/**
 * Starts the service; resolves once /_readiness answers 200. `logLevel: 'info'`
 * makes wrangler log each queue consumer batch, which `queueBatches()` returns.
 */
export async function startService({ logLevel = 'warn' } = {}) {
  const persistDir = mkdtempSync(path.join(tmpdir(), 'posthog-bench-'));
  const logFile = path.join(persistDir, 'wrangler.log');
  const apiKey = `phx_bench_${randomBytes(24).toString('hex')}`;

  await promisify(execFile)(
    process.execPath,
    [wranglerBin, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir],
    { cwd: repoRoot, env: wranglerEnv, timeout: 120_000 },
  );

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
      '--var', 'BENCH_ROUTES:true',
      '--show-interactive-dev-session=false',
      '--log-level', process.env.BENCH_LOG_LEVEL ?? logLevel,
    ],
    // A process group of its own, so stopping it also stops workerd.
    { cwd: repoRoot, env: wranglerEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  let tail = '';
  let partial = '';
  const queueBatches = [];
  const record = (chunk) => {
    log.write(chunk);
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8000);
    const lines = (partial + text).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      // wrangler: "QUEUE ingest 100/100 (347ms)" = acked/delivered messages, time in the consumer.
      const m = /QUEUE ingest (\d+)\/(\d+) \((\d+)ms\)/.exec(line);
      if (m) queueBatches.push({ at: performance.now(), acked: Number(m[1]), messages: Number(m[2]), ms: Number(m[3]) });
    }
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);
  const killGroup = (signal = 'SIGTERM') => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

  const baseUrl = `http://127.0.0.1:${port}`;
  const service = {
    baseUrl,
    apiKey,
    persistDir,
    logFile,
    pid: child.pid,
    recentLog: () => tail,
    /** Consumer batches of the `ingest` queue seen so far (needs logLevel 'info'). */
    queueBatches: () => queueBatches,
    async stop() {
      process.off('exit', onExit);
      const exited = new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      killGroup('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      killGroup('SIGKILL');
      log.end();
      if (!process.env.BENCH_KEEP) rmSync(persistDir, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited before it was ready:\n${tail}`);
    }
    try {
      const res = await fetch(`${baseUrl}/_readiness`, { signal: AbortSignal.timeout(5_000) });
      if (res.status === 200) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`wrangler dev not ready after 120 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return service;
}

/** The pids of `root` and all its descendants, from /proc. */
function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // process ended meanwhile
    }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function statusOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
    return { pid, name, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * Samples the resident memory of the workerd processes under `rootPid` (the
 * runtime; wrangler's own node process is reported apart). `peak()` gives the
 * highest summed VmRSS seen and the kernel's VmHWM high-water marks.
 */
export function memorySampler(rootPid, everyMs = 200) {
  let peakRuntimeKb = 0;
  let peakWranglerKb = 0;
  const hwm = new Map();
  let phasePeakKb = 0;
  const sample = () => {
    let runtime = 0;
    let wrangler = 0;
    for (const pid of processTree(rootPid)) {
      const s = statusOf(pid);
      if (!s) continue;
      if (s.name.startsWith('workerd')) {
        runtime += s.rssKb;
        hwm.set(pid, Math.max(hwm.get(pid) ?? 0, s.hwmKb));
      } else {
        wrangler += s.rssKb;
      }
    }
    peakRuntimeKb = Math.max(peakRuntimeKb, runtime);
    peakWranglerKb = Math.max(peakWranglerKb, wrangler);
    phasePeakKb = Math.max(phasePeakKb, runtime);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    /** Highest runtime RSS since the last call (per-phase peaks). */
    takePhasePeakMb() {
      sample();
      const mb = phasePeakKb / 1024;
      phasePeakKb = 0;
      return Math.round(mb);
    },
    stop() {
      sample();
      clearInterval(timer);
      return {
        runtime_peak_rss_mb: Math.round(peakRuntimeKb / 1024),
        runtime_vmhwm_mb: Math.round([...hwm.values()].reduce((a, b) => a + b, 0) / 1024),
        wrangler_peak_rss_mb: Math.round(peakWranglerKb / 1024),
      };
    },
  };
}
