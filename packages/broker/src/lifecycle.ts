/**
 * - `standby`: not leading; it answers `ping` and `stats`, and every other op, registration and node
 *   message with ERR_NOT_LEADER.
 * - `recovering`: leading, and learning what the nodes hold; it acknowledges nothing for a lease period.
 * - `serving`: leading.
 * - `deposed`: another broker leads now. Nothing leaves this broker again: every send passes `maySend`.
 */
export type BrokerState = 'standby' | 'recovering' | 'serving' | 'deposed';

const NEXT: Record<BrokerState, readonly BrokerState[]> = {
  standby: ['recovering', 'deposed'],
  recovering: ['serving', 'deposed'],
  serving: ['deposed'],
  deposed: [],
};

/** The broker's one lifecycle: where it stands, and the only transitions there are. */
export class BrokerLifecycle {
  private current: BrokerState = 'standby';

  constructor(private readonly onChange: (from: BrokerState, to: BrokerState) => void = () => undefined) {}

  get state(): BrokerState {
    return this.current;
  }

  /** Whether anything may be sent: not once deposed. */
  get maySend(): boolean {
    return this.current !== 'deposed';
  }

  get serving(): boolean {
    return this.current === 'serving';
  }

  /** Whether it holds the leadership: recovering or serving. */
  get leading(): boolean {
    return this.current === 'recovering' || this.current === 'serving';
  }

  /** Moves to `to`; throws on a transition the lifecycle does not have. */
  moveTo(to: BrokerState): void {
    const from = this.current;
    if (!NEXT[from].includes(to)) throw new Error(`a broker cannot go from ${from} to ${to}`);
    this.current = to;
    this.onChange(from, to);
  }
}
