import { readFileSync } from 'node:fs';

/**
 * What the benches read of a server process from Linux's /proc: the process
 * is measured from outside, so its own figures include nothing of the load
 * generator running beside it.
 */

/** USER_HZ: /proc reports CPU times in these ticks; 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds the processes have used so far. */
export function cpuSeconds(...pids: ReadonlyArray<number | undefined>): number {
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) continue;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, hence the last ')'); utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Resident set size in bytes, or NaN once the process is gone. */
export function rssBytes(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
