/** A point in the cluster's history: a seq within an epoch. */
export interface HistoryPoint {
  readonly epoch: number;
  readonly seq: number;
}

/**
 * What this broker process acknowledged, epoch by epoch, for the epochs it sequenced itself. A
 * broker that just started knows none: what an earlier broker acknowledged is lost with it, and
 * only the nodes' data can speak for it. Only the latest few epochs are kept.
 */
export class AcknowledgedHistory {
  /** Epoch → the highest seq acknowledged in it (its start seq while nothing is). In epoch order. */
  private readonly highest = new Map<number, number>();
  /** The last acknowledged write, as two numbers: this runs once per write, and allocates nothing. */
  private lastEpoch = 0;
  private lastSeq = 0;
  private acknowledgedAny = false;

  constructor(private readonly keepEpochs = 16) {}

  /** This broker starts sequencing `epoch` after `startSeq`. */
  startEpoch(epoch: number, startSeq: number): void {
    this.highest.set(epoch, startSeq);
    for (const oldest of this.highest.keys()) {
      if (this.highest.size <= this.keepEpochs) break;
      this.highest.delete(oldest);
    }
  }

  /** A write stamped `seq` in `epoch` was acknowledged to its client. */
  acknowledge(epoch: number, seq: number): void {
    const known = this.highest.get(epoch);
    if (known !== undefined && seq > known) this.highest.set(epoch, seq);
    // Writes in primary mode complete out of seq order.
    if (this.acknowledgedAny && (epoch < this.lastEpoch || (epoch === this.lastEpoch && seq <= this.lastSeq))) return;
    this.acknowledgedAny = true;
    this.lastEpoch = epoch;
    this.lastSeq = seq;
  }

  /** The last write this broker acknowledged, as a point in the history: data that lacks it is not whole. */
  latest(): HistoryPoint | undefined {
    return this.acknowledgedAny ? { epoch: this.lastEpoch, seq: this.lastSeq } : undefined;
  }

  /**
   * Whether this broker knows that no write of `epoch` after `seq` was acknowledged: it sequenced
   * that epoch and acknowledged nothing in it past `seq`.
   */
  acknowledgedNothingAfter(epoch: number, seq: number): boolean {
    const known = this.highest.get(epoch);
    return known !== undefined && known <= seq;
  }
}
