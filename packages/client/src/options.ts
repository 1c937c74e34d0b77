import { requireInteger, silentLogger, type Logger } from '@brainer/protocol';
import { requireCurveClientOptions, type CurveClientOptions } from './curve-options.js';

export interface BrainerOptions {
  /** How long each call waits for its answer, retries included, before it rejects with ERR_TIMEOUT, in ms. Default 5000. */
  timeoutMs: number;
  /**
   * How long one attempt waits before the call is sent again, in ms. Retries reuse the op's id and
   * the client's identity, so the broker applies a retried write at most once. Default 2000.
   */
  attemptTimeoutMs: number;
  /** Whether calls are retried at all (after an attempt timeout or a retryable error). Default true. */
  retry: boolean;
  /** CURVE encryption and authentication, for a broker started with a CURVE secret key. Default: none. */
  curve: CurveClientOptions | undefined;
  /** Where the client logs. Default: silent. */
  logger: Logger;
  /** A monotonic clock in ms. Default `performance.now`. */
  now: () => number;
}

export const DEFAULT_BRAINER_OPTIONS: BrainerOptions = {
  timeoutMs: 5000,
  attemptTimeoutMs: 2000,
  retry: true,
  curve: undefined,
  logger: silentLogger,
  now: () => performance.now(),
};

export function resolveBrainerOptions(options: Partial<BrainerOptions>): BrainerOptions {
  const resolved = { ...DEFAULT_BRAINER_OPTIONS, ...options };
  requireInteger('timeoutMs', resolved.timeoutMs, 1, 3_600_000);
  requireInteger('attemptTimeoutMs', resolved.attemptTimeoutMs, 1, 3_600_000);
  if (resolved.curve !== undefined) resolved.curve = requireCurveClientOptions(resolved.curve);
  return resolved;
}
