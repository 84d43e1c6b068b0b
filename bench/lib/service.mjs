// An isolated `wrangler dev` of the bench entry (bench/worker.ts: the production Worker plus
// the bench-only /_bench routes; scripts/lib/wrangler-instance.mjs), plus memory sampling of
// its workerd processes.
import { readdirSync, readFileSync } from 'node:fs';
import * as instance from '../../scripts/lib/wrangler-instance.mjs';

// BENCH_ROOT: run another checkout (e.g. an instrumented copy while profiling).
export const repoRoot = process.env.BENCH_ROOT ?? instance.repoRoot;

export const wranglerVersion = () => instance.wranglerVersion({ root: repoRoot });

let exitOnSignal = false;

/**
 * Starts the service; resolves once /_readiness answers 200. `logLevel: 'info'`
 * makes wrangler log each queue consumer batch, which `queueBatches()` returns.
 */
export async function startService({ logLevel = 'warn' } = {}) {
  // Ctrl-C should still run the exit hook that stops wrangler and workerd.
  if (!exitOnSignal) {
    exitOnSignal = true;
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
  }
  const queueBatches = [];
  const service = await instance.startIsolatedWrangler({
    root: repoRoot,
    tmpPrefix: 'posthog-bench-',
    apiKeyPrefix: 'phx_bench_',
    entry: 'bench/worker.ts',
    logLevel: process.env.BENCH_LOG_LEVEL ?? logLevel,
    keep: Boolean(process.env.BENCH_KEEP),
    onLine(line) {
      // wrangler: "QUEUE ingest 100/100 (347ms)" = acked/delivered messages, time in the consumer.
      const m = /QUEUE ingest (\d+)\/(\d+) \((\d+)ms\)/.exec(line);
      if (m)
        queueBatches.push({ at: performance.now(), acked: Number(m[1]), messages: Number(m[2]), ms: Number(m[3]) });
    },
  });
  return {
    ...service,
    /** Consumer batches of the `ingest` queue seen so far (needs logLevel 'info'). */
    queueBatches: () => queueBatches,
  };
}

/** The pids of `root` and all its descendants, from /proc. */
export function processTree(root) {
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
