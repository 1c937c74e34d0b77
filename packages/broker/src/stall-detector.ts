/**
 * Notices that the broker itself stalled (a GC pause, VM steal, SIGSTOP): a timer that should fire
 * every `intervalMs` finds a longer gap on the monotonic clock since its last run.
 */
export class StallDetector {
  private lastTickAt: number;
  /** How late the last tick ran, in ms: how long the broker was busy or stopped before it. */
  lateMs = 0;
  /** The most a tick has run late so far, in ms. */
  maxLateMs = 0;

  constructor(
    private readonly intervalMs: number,
    /** How late a tick may be before it counts as a stall, in ms: event-loop noise stays under it. */
    private readonly marginMs: number,
    now: number,
  ) {
    this.lastTickAt = now;
  }

  /** Called from the timer: how long the broker was stalled before this tick, in ms, or 0. */
  tick(now: number): number {
    const gap = now - this.lastTickAt;
    this.lastTickAt = now;
    this.lateMs = Math.max(0, Math.round(gap - this.intervalMs));
    this.maxLateMs = Math.max(this.maxLateMs, this.lateMs);
    return gap > this.intervalMs + this.marginMs ? Math.round(gap - this.intervalMs) : 0;
  }
}
