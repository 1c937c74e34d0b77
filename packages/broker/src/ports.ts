/**
 * A connection's id as the transport gives it. The core stores and compares it, and hands it back
 * to `send`; it never looks inside. It is also the client's identity in a write's origin, which
 * nodes keep for retry deduplication.
 */
export type PeerId = string;

/** Everything the broker core needs from outside: it has no socket and no timer of its own. */
export interface BrokerPorts {
  /** Sends one frame to a peer. Never blocks; a failure comes back through `BrokerCore.onSendError`. */
  send(peer: PeerId, frame: Buffer): void;
  /** Sends `frame` and resolves whether `peer` is still connected. */
  reaches(peer: PeerId, frame: Buffer): Promise<boolean>;
  /** The last time no input was waiting unread: a peer not heard from since was silent. */
  inputDrainedAt(): number;
  /** Open connections, for stats. */
  connections(): number;
  /** The monotonic clock, in ms. */
  now(): number;
  /** Asks for `BrokerCore.flush()` once the input of this turn is handled. */
  requestFlush(): void;
  /** Asks for `BrokerCore.wake()` at `at` on the clock, or sooner. */
  requestWake(at: number): void;
  /**
   * The number of a new epoch, at least `atLeast`. Epochs are the fence between brokers: a source
   * shared by every broker that may lead (an election) keeps two from ever using the same one.
   */
  nextEpoch(atLeast: number): number;
  /**
   * Whether this broker certainly still holds the leadership it was given: with an election, its
   * lease is alive by its own clock. While it leads and this is false, nothing leaves it.
   */
  holdsLeadership(): boolean;
  /** The leader's endpoint as this broker knows it, for a standby's ERR_NOT_LEADER. */
  leader(): string | undefined;
}
