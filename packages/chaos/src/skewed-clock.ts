import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where Debian's faketime package puts libfaketime, by architecture. */
const LIBRARY_DIRS = [
  '/usr/lib/x86_64-linux-gnu/faketime',
  '/usr/lib/aarch64-linux-gnu/faketime',
  '/usr/lib/faketime',
  '/usr/local/lib/faketime',
];

/**
 * The environment that runs one process with its wall clock shifted by `offset` (faketime's
 * syntax, such as `+30s`): what `faketime -f` sets, but given to the process itself, since the
 * faketime command forks and a kill -9 of it would leave the process running. The monotonic clock
 * stays true, as on a host whose wall clock is off. Answers the reason instead where faketime is
 * missing. `path` is the PATH to look for the faketime command on.
 */
export function skewedClockEnv(offset: string, path: string): NodeJS.ProcessEnv | { missing: string } {
  const onPath = path.split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'faketime')));
  if (!onPath) return { missing: 'faketime is not on PATH (Debian: apt-get install faketime)' };
  const library = LIBRARY_DIRS.map((dir) => join(dir, 'libfaketime.so.1')).find((file) => existsSync(file));
  if (library === undefined) return { missing: `faketime is on PATH but libfaketime.so.1 is in none of ${LIBRARY_DIRS.join(', ')}` };
  return { LD_PRELOAD: library, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1' };
}
