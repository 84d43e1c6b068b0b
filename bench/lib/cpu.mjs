// CPU time the runtime (the workerd processes under `wrangler dev`) uses, from /proc: user +
// system time of each process, in clock ticks of 1/100 s (Linux's USER_HZ).
import { readFileSync } from 'node:fs';
import { processTree } from './service.mjs';

const TICKS_PER_SECOND = 100;

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!comm.startsWith('workerd')) return undefined;
    // After "pid (comm) ": state ppid … utime is field 14 and stime field 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined; // ended meanwhile
  }
}

/** Each workerd process under `rootPid` and the CPU ticks it has used so far. */
export function runtimeCpu(rootPid) {
  const ticks = new Map();
  for (const pid of processTree(rootPid)) {
    const t = cpuTicks(pid);
    if (t !== undefined) ticks.set(pid, t);
  }
  return ticks;
}

/**
 * Seconds of runtime CPU between two readings, or NaN when a process of the first ended
 * meanwhile (wrangler restarted workerd, e.g. after a watched file changed): its time is lost.
 */
export function cpuSecondsBetween(before, after) {
  let ticks = 0;
  for (const [pid, t] of before) {
    if (!after.has(pid)) return Number.NaN;
    ticks -= t;
  }
  for (const t of after.values()) ticks += t;
  return ticks / TICKS_PER_SECOND;
}
