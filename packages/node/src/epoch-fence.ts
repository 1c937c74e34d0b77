/**
 * The highest broker epoch this node has accepted (PROTOCOL.md 5.17): a leader's epochs are fences.
 * Once a node has taken epoch E from a `welcome` or a `catch-up` (and applied writes of it), or holds
 * data of E from its data directory, a broker with a lower epoch has been deposed: what it sends is
 * refused, so it gathers no acknowledgement and grants no lease.
 */
export class EpochFence {
  private highest: number;

  constructor(startingEpoch = 0) {
    this.highest = startingEpoch;
  }

  /** The highest epoch accepted so far. */
  get epoch(): number {
    return this.highest;
  }

  /** Whether a message of `epoch` comes from a broker deposed since. */
  refuses(epoch: number): boolean {
    return epoch < this.highest;
  }

  /** An epoch taken on: nothing below it is accepted from now on. */
  accept(epoch: number): void {
    if (epoch > this.highest) this.highest = epoch;
  }

  /** The ERR_STALE_EPOCH message for a refused `type` message of `epoch`, naming both epochs. */
  refusal(type: string, epoch: number): string {
    return `refused a ${type} of epoch ${epoch}: this node has accepted epoch ${this.highest}, so the broker that sent it has been deposed`;
  }
}
