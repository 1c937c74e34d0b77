import { UsageError } from './errors.js';

/**
 * A file named on the command line that is missing, or is a directory, is wrong usage (ERR_USAGE,
 * exit 2): `error` (from stat or read) becomes that, and any other error is left as it is.
 */
export function fileUsageError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return new UsageError(`no such file: ${file}`, { cause: error });
  if (code === 'EISDIR') return notAFile(file, error);
  return error;
}

export function notAFile(file: string, cause?: unknown): UsageError {
  return new UsageError(`${file} is a directory, not a file`, { cause });
}
