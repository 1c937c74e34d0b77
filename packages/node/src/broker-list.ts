/**
 * The brokers a node may register with, one at a time (PROTOCOL.md 5.17): the one it talks to now,
 * the leader a standby named, or the next of the list, round-robin.
 */
export class BrokerList {
  private index = 0;
  private endpoint: string;

  constructor(private readonly brokers: readonly string[]) {
    if (brokers.length === 0) throw new Error('a broker list needs at least one endpoint');
    this.endpoint = brokers[0]!;
  }

  /** The broker the node talks to now. */
  get current(): string {
    return this.endpoint;
  }

  /** Whether there is another broker to move to: with one, the node stays with it, as it always has. */
  get several(): boolean {
    return this.brokers.length > 1;
  }

  /** Moves on to the next broker of the list, after the last one the list gave. */
  next(): string {
    this.index = (this.index + 1) % this.brokers.length;
    this.endpoint = this.brokers[this.index]!;
    return this.endpoint;
  }

  /**
   * Goes to the leader a standby named. It may not be in the list (a leader's endpoint as it
   * advertises it); the round-robin then goes on from where it was.
   */
  follow(leader: string): string {
    const at = this.brokers.indexOf(leader);
    if (at >= 0) this.index = at;
    this.endpoint = leader;
    return leader;
  }
}
