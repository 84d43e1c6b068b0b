// CPU time the runtime (the workerd processes under `wrangler dev`) has used so far, from
// /proc: user + system time of each process, in clock ticks of 1/100 s (Linux's USER_HZ).
import { readFileSync } from 'node:fs';
import { processTree } from './service.mjs';

const TICKS_PER_SECOND = 100;

function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!comm.startsWith('workerd')) return 0;
    // After "pid (comm) ": state ppid … utime is field 14 and stime field 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // ended meanwhile
  }
}

/** Seconds of CPU the workerd processes under `rootPid` have used since they started. */
export function runtimeCpuSeconds(rootPid) {
  return processTree(rootPid).reduce((a, pid) => a + cpuTicks(pid), 0) / TICKS_PER_SECOND;
}
