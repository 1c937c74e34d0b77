/** The small logging interface the libraries log through. The CLI backs it with winston. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

const noop = (): void => {};

/** The default: libraries are silent unless given a logger. */
export const silentLogger: Logger = { error: noop, warn: noop, info: noop, debug: noop };
