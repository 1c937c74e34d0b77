/**
 * Notices that the broker itself stalled (a GC pause, VM steal, SIGSTOP): a timer that should fire
 * every `intervalMs` finds a longer gap on the monotonic clock since its last run.
 */
export class StallDetector {
  private lastTickAt: number;

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
    return gap > this.intervalMs + this.marginMs ? Math.round(gap - this.intervalMs) : 0;
  }
}
