import { readFileSync } from 'node:fs';

/** This process's soft limit on open files (`ulimit -n`), or undefined where /proc does not tell. */
export function openFilesLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line === null || line[1] === 'unlimited') return undefined;
    return Number(line[1]);
  } catch {
    return undefined;
  }
}
