import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The host's CPU time so far, from the first line of /proc/stat (Linux), in clock ticks. */
export interface HostCpu {
  total: number;
  idle: number;
  steal: number;
}

export function hostCpu(): HostCpu {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/** What the host was doing between two readings: the shares of its CPU time stolen and idle, and the load average at the end. */
export interface HostLoad {
  stealPercent: number;
  idlePercent: number;
  loadavg: number[];
}

export function hostLoadSince(before: HostCpu, after: HostCpu = hostCpu()): HostLoad {
  const total = after.total - before.total;
  const percent = (n: number): number => (total > 0 ? (100 * n) / total : NaN);
  return { stealPercent: percent(after.steal - before.steal), idlePercent: percent(after.idle - before.idle), loadavg: loadavg() };
}

export function formatHostLoad(load: HostLoad): string {
  return (
    `host over the rounds: steal ${load.stealPercent.toFixed(1)}%, idle ${load.idlePercent.toFixed(1)}%, ` +
    `load average ${load.loadavg.map((n) => n.toFixed(2)).join(' ')} (1, 5, 15 min) at the end`
  );
}
