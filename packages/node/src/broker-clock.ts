/**
 * The broker's clock as this node learns it from heartbeat answers: each `heartbeat-ack` carries
 * the broker's reading (`brokerAt`), taken before the node received it. So the broker's clock
 * minus this node's is at least `brokerAt − receivedAt`, and the quickest answer of the latest few
 * gives the tightest bound; one that waited in a paused process's socket arrives late and loses.
 *
 * With it, a write's expiry runs from when the broker sent the write, not from when this node got
 * round to reading it: a node paused with writes in its socket would otherwise add its pause to
 * every TTL in them (PROTOCOL.md 5.11). Being a bound, the send time it gives is never earlier than
 * the true one, so a node still never hides a key before the broker's deadline; it may keep one
 * for as long as that quickest answer took to arrive.
 */
export class BrokerClock {
  /** `brokerAt − receivedAt` of the latest answers, oldest first. */
  private bounds: number[] = [];

  constructor(private readonly window = 8) {}

  /** A new broker may run on another clock: forget what was learnt of the old one. */
  reset(): void {
    this.bounds = [];
  }

  /** An answer carrying the broker's reading `brokerAt`, received when this node's wall clock read `receivedAt`. */
  addSample(brokerAt: number, receivedAt: number): void {
    const bound = brokerAt - receivedAt;
    if (!Number.isFinite(bound)) return;
    this.bounds.push(bound);
    if (this.bounds.length > this.window) this.bounds.shift();
  }

  /**
   * The time on this node's wall clock when the broker's read `brokerTime` (when the broker sent a
   * message stamped with it), or a little after. Never later than `now`, since nothing arrives
   * before it is sent, and `now` itself until an answer has come.
   */
  localTimeOf(brokerTime: number, now: number): number {
    if (this.bounds.length === 0) return now;
    return Math.min(now, brokerTime - Math.max(...this.bounds));
  }
}
