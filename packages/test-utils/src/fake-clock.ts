import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's faketime package puts libfaketime, one directory per architecture. */
const LIB_DIR = '/usr/lib';
const LIB_PATH = join('faketime', 'libfaketime.so.1');

function libfaketime(): string | undefined {
  const candidates = [join(LIB_DIR, LIB_PATH), ...readdirSync(LIB_DIR).map((dir) => join(LIB_DIR, dir, LIB_PATH))];
  return candidates.find((path) => existsSync(path));
}

/** Why a process cannot be given a skewed clock here, or undefined when it can. */
export function fakeClockMissing(): string | undefined {
  return libfaketime() === undefined ? `libfaketime is not installed (apt-get install faketime)` : undefined;
}

/**
 * The environment that runs one process on a clock shifted by `offset` (faketime's syntax, such
 * as `+30s` or `-30s`), for `SpawnReadyOptions.env`. It preloads libfaketime into that process
 * alone, as `faketime -f` does; the `faketime` command itself is not used because it forks and does
 * not pass signals on, so stopping it would leave the process running. Throws when libfaketime is
 * missing (see `fakeClockMissing`).
 */
export function fakeClockEnv(offset: string): NodeJS.ProcessEnv {
  const library = libfaketime();
  if (library === undefined) throw new Error(fakeClockMissing());
  return { LD_PRELOAD: library, FAKETIME: offset };
}
