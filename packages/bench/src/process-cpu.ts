import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times: USER_HZ, 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time a process has used so far, user and system, all threads, in µs (Linux, from /proc); NaN once it has exited. */
export function processCpuMicros(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return NaN; // the process is gone: its figure is unknown, and the run goes on
  }
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000_000) / TICKS_PER_SECOND;
}

/**
 * Measures the CPU time each process uses between `startInMs` and `startInMs + durationMs` from now,
 * which is how a closed-loop run's measured window is placed after its warm-up.
 */
export function cpuOverWindow(pids: readonly number[], startInMs: number, durationMs: number): Promise<number[]> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const before = pids.map(processCpuMicros);
      setTimeout(() => resolve(pids.map((pid, i) => processCpuMicros(pid) - before[i]!)), durationMs);
    }, startInMs);
  });
}
