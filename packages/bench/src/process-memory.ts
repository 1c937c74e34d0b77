import { readFile } from 'node:fs/promises';

/** Current and peak resident set size of a process, in bytes, from /proc (Linux). */
export async function processMemory(pid: number): Promise<{ rss: number; peakRss: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), peakRss: field('VmHWM') };
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
