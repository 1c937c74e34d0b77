export interface LogOptions {
  /** Log level of the spawned process (`error`, `warn`, `info`, `debug`). Default `info`. */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Start with `--debug`: debug logs and stack traces. Default false. */
  debug?: boolean;
}

/** The logging flags of run-broker and run-node for these options. */
export function logArgs(options: LogOptions): string[] {
  return [...(options.debug === true ? ['--debug'] : []), '--log-level', options.logLevel ?? 'info'];
}
