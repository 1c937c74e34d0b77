import { BrainerError, isErrorCode, type ErrorCode } from '@brainer/protocol';

/** Exit code for a command that ran but failed (unreachable broker, error reply, missing key). */
export const EXIT_FAILURE = 1;
/** Exit code for wrong usage: unknown command, missing argument, bad flag value. */
export const EXIT_USAGE = 2;
/** Exit code for a command that SIGINT stopped early, as a shell reports it (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/** Wrong usage found by the CLI itself. `code` is always `ERR_USAGE`. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * Thrown once an error has been printed. oclif's handler skips printing it and exits with
 * `oclif.exit`, so the user sees exactly one line.
 */
export class ReportedError extends Error {
  readonly skipOclifErrorHandling = true;
  readonly oclif: { exit: number };

  constructor(exitCode: number, options?: { cause?: unknown }) {
    super('error already reported', options);
    this.name = 'ReportedError';
    this.oclif = { exit: exitCode };
  }
}

/**
 * A BrainerError that says what was being done when `err` happened: `err`'s own code (`fallback`
 * when it has no Brainer code) and the message `describe(err's message)`, with `err` as its cause.
 */
export function errorInContext(err: unknown, describe: (reason: string) => string, fallback: ErrorCode): BrainerError {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = err instanceof Error ? err.message : String(err);
  return new BrainerError(typeof code === 'string' && isErrorCode(code) ? code : fallback, describe(reason), { cause: err });
}
