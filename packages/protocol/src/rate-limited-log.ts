import type { Logger } from './logger.js';

/**
 * Logs a warning (or an error) at most once per `intervalMs` for each kind of event, with a count of the ones
 * it held back, so that a flood of bad input cannot flood the log.
 */
export class RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number,
    private readonly intervalMs = 5000,
  ) {}

  warn(kind: string, message: string, meta: Record<string, unknown> = {}): void {
    this.log('warn', kind, message, meta);
  }

  error(kind: string, message: string, meta: Record<string, unknown> = {}): void {
    this.log('error', kind, message, meta);
  }

  private log(level: 'warn' | 'error', kind: string, message: string, meta: Record<string, unknown>): void {
    const now = this.now();
    const entry = this.last.get(kind);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.last.set(kind, { at: now, suppressed: 0 });
    this.logger[level](message, suppressed > 0 ? { ...meta, suppressed } : meta);
  }
}
