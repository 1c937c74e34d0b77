import { writeBytesBound, type MessageOf, type Write } from '@brainer/protocol';

/**
 * Most bytes of writes stamped into one `writes` message (a single larger write goes alone). A burst
 * of big values then goes out as several frames, contiguous in seq, each of which the nodes decode
 * and apply with their event loop free in between, instead of one frame of hundreds of MiB.
 */
export const WRITES_FRAME_BYTES = 4 * 1024 * 1024;

interface Batch {
  firstSeq: number;
  bytes: number;
  writes: Write[];
}

/**
 * Stamps writes with `(epoch, seq)` (invariant 1) and gathers those stamped in one tick into
 * `writes` messages for the fan-out, each of at most `maxFrameBytes` of writes.
 */
export class Sequencer {
  private batches: Batch[] = [];

  constructor(
    public epoch = 0,
    public lastSeq = 0,
    private readonly maxFrameBytes = WRITES_FRAME_BYTES,
  ) {}

  /** Starts a new epoch. Seq never goes back, so per-key seqs stay comparable across epochs. */
  startEpoch(epoch: number, seq: number): void {
    this.epoch = epoch;
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  next(write: Write): number {
    const seq = ++this.lastSeq;
    const bytes = writeBytesBound(write);
    let batch = this.batches.at(-1);
    if (!batch || (batch.writes.length > 0 && batch.bytes + bytes > this.maxFrameBytes)) {
      this.batches.push((batch = { firstSeq: seq, bytes: 0, writes: [] }));
    }
    batch.bytes += bytes;
    batch.writes.push(write);
    return seq;
  }

  /** The writes stamped since the last call, as messages in seq order sent at `sentAt` (none if there were none). */
  take(sentAt: number): MessageOf<'writes'>[] {
    const messages = this.batches.map(
      ({ firstSeq, writes }): MessageOf<'writes'> => ({ type: 'writes', epoch: this.epoch, firstSeq, sentAt, writes }),
    );
    this.batches = [];
    return messages;
  }
}
