import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Mounts a tmpfs of `bytes` (rounded up to whole KiB) on the directory `dir`, as a small disk that
 * fills up. Needs root where the host allows mounting; rejects with mount's own message otherwise.
 */
export async function mountTmpfs(dir: string, bytes: number): Promise<void> {
  await run('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / 1024)}k,mode=0700`, 'tmpfs', dir]);
}

/** Gives the tmpfs on `dir` a new size: room given back to a full disk. */
export async function resizeTmpfs(dir: string, bytes: number): Promise<void> {
  await run('mount', ['-o', `remount,size=${Math.ceil(bytes / 1024)}k`, dir]);
}

/** Unmounts `dir`, lazily, so that a process still holding a file there cannot make it fail. */
export async function unmountTmpfs(dir: string): Promise<void> {
  await run('umount', ['-l', dir]);
}

/** The message of a failed mount: its stderr when it has one. */
export function mountError(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  return typeof stderr === 'string' && stderr.trim() !== '' ? stderr.trim() : String((error as Error).message ?? error);
}
