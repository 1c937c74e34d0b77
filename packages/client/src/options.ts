import { requireInteger, silentLogger, type Logger } from '@brainer/protocol';

export interface BrainerOptions {
  /** How long each call waits for its answer before it rejects with ERR_TIMEOUT, in ms. Default 5000. */
  timeoutMs: number;
  /** Where the client logs. Default: silent. */
  logger: Logger;
  /** A monotonic clock in ms. Default `performance.now`. */
  now: () => number;
}

export const DEFAULT_BRAINER_OPTIONS: BrainerOptions = {
  timeoutMs: 5000,
  logger: silentLogger,
  now: () => performance.now(),
};

export function resolveBrainerOptions(options: Partial<BrainerOptions>): BrainerOptions {
  const resolved = { ...DEFAULT_BRAINER_OPTIONS, ...options };
  requireInteger('timeoutMs', resolved.timeoutMs, 1, 3_600_000);
  return resolved;
}
