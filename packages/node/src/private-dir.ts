import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOptionError, type Logger } from '@brainer/protocol';

/** The mode of every file in a data directory: its owner's only, whatever the umask. */
export const PRIVATE_FILE_MODE = 0o600;
/** The mode of a data directory. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `dir` a directory that only its owner may enter (mode 0700), creating it if needed. An
 * existing directory, and the files in it, that others than the owner could read are tightened
 * (0700, 0600) with a warning, since they hold every key and value. Files created later in it are
 * created with `PRIVATE_FILE_MODE`.
 */
export function makePrivateDir(dir: string, field: string, logger: Logger): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    tighten(dir, PRIVATE_DIR_MODE, logger);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isFile()) tighten(join(dir, entry.name), PRIVATE_FILE_MODE, logger);
    }
  } catch (error) {
    throw new InvalidOptionError(field, `cannot make ${dir} private to its owner: ${(error as Error).message}`);
  }
}

function tighten(path: string, mode: number, logger: Logger): void {
  const was = lstatSync(path).mode & 0o777;
  if ((was & 0o077) === 0) return;
  chmodSync(path, mode);
  logger.warn('tightened the mode of a data file that other users could read', {
    path,
    was: was.toString(8),
    now: mode.toString(8),
  });
}
