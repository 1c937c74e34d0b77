import type { MessageOf, Write } from '@brainer/protocol';

/**
 * Stamps writes with `(epoch, seq)` (invariant 1) and gathers those stamped in one tick into one
 * `writes` message for the fan-out.
 */
export class Sequencer {
  private batch: Write[] = [];
  private batchFirstSeq = 0;

  constructor(
    public epoch = 0,
    public lastSeq = 0,
  ) {}

  /** Starts a new epoch. Seq never goes back, so per-key seqs stay comparable across epochs. */
  startEpoch(epoch: number, seq: number): void {
    this.epoch = epoch;
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  next(write: Write): number {
    const seq = ++this.lastSeq;
    if (this.batch.length === 0) this.batchFirstSeq = seq;
    this.batch.push(write);
    return seq;
  }

  /** The writes stamped since the last call, as one message sent at `sentAt`, or undefined if there were none. */
  take(sentAt: number): MessageOf<'writes'> | undefined {
    if (this.batch.length === 0) return undefined;
    const message: MessageOf<'writes'> = {
      type: 'writes',
      epoch: this.epoch,
      firstSeq: this.batchFirstSeq,
      sentAt,
      writes: this.batch,
    };
    this.batch = [];
    return message;
  }
}
