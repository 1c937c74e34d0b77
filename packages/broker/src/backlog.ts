import { joinWritesFrames } from '@brainer/protocol';

export interface BacklogLimits {
  /** Most writes held. */
  writes: number;
  /** Most bytes of frames held. */
  bytes: number;
}

/** What a node that asks to resume says it holds. */
export interface ResumeRequest {
  nodeId: string;
  epoch: number;
  seq: number;
  digest: string;
}

/** The registration a new epoch started from: a node holding the same has the epoch's first content. */
export interface EpochOrigin {
  epoch: number;
  seq: number;
  digest: string;
}

interface Held {
  firstSeq: number;
  count: number;
  frame: Buffer;
}

/** Most bytes in one frame of a replay, so a long replay is a few large frames, not one per tick. */
const REPLAY_FRAME_BYTES = 4 * 1024 * 1024;
/** What holding one frame costs beyond its bytes (the Buffer, its memory block, the record), counted against the byte limit. */
const FRAME_OVERHEAD_BYTES = 160;

/**
 * The broker's backlog of the latest writes of the current epoch, kept as the `writes` frames it
 * sent, bounded by a count of writes and of bytes (Redis's replication backlog). A node that comes
 * back (after a restart from its data directory, or a short disconnect) with a store that is whole
 * at a seq the backlog still covers catches up from it, as Redis's PSYNC does: the broker sends it
 * the frames after that seq instead of having it load a snapshot.
 */
export class Backlog {
  private held: Held[] = [];
  private head = 0;
  private writes = 0;
  private bytes = 0;
  /** Every write after this seq is held. */
  private coveredFrom = 0;
  private epochStart = 0;
  private _origin: EpochOrigin | undefined;
  /** Nodes whose store has been the cluster's content in this epoch, so what they hold is this epoch's history. */
  private readonly vouched = new Set<string>();

  constructor(private readonly limits: BacklogLimits) {}

  /** The registration this epoch's content started from, if it did not start empty. */
  get origin(): EpochOrigin | undefined {
    return this._origin;
  }

  /** Figures for the broker's `stats`. */
  get stats(): { writes: number; bytes: number; fromSeq: number } {
    return { writes: this.writes, bytes: this.bytes, fromSeq: this.coveredFrom };
  }

  /**
   * A new epoch starts at `seq`: the writes of the old one mean nothing in it. `origin` is the
   * registration whose content the epoch starts from (none when it starts empty).
   */
  startEpoch(seq: number, origin: EpochOrigin | undefined): void {
    this.held = [];
    this.head = 0;
    this.writes = 0;
    this.bytes = 0;
    this.coveredFrom = seq;
    this.epochStart = seq;
    this._origin = origin;
    this.vouched.clear();
  }

  /** Keeps a `writes` frame just sent to the nodes, dropping the oldest past the limits. */
  add(firstSeq: number, count: number, frame: Buffer): void {
    this.held.push({ firstSeq, count, frame: ownBytes(frame) });
    this.writes += count;
    this.bytes += frame.length + FRAME_OVERHEAD_BYTES;
    while (this.head < this.held.length && (this.writes > this.limits.writes || this.bytes > this.limits.bytes)) {
      const oldest = this.held[this.head]!;
      this.held[this.head++] = undefined as unknown as Held;
      this.writes -= oldest.count;
      this.bytes -= oldest.frame.length + FRAME_OVERHEAD_BYTES;
      this.coveredFrom = oldest.firstSeq + oldest.count - 1;
    }
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
  }

  /** Notes a node whose store is now the cluster's content in this epoch. */
  vouch(nodeId: string): void {
    this.vouched.add(nodeId);
  }

  /**
   * The seq after which a node that asks to resume can take the writes from the backlog, or
   * undefined when it must join in full (with a reason):
   * - a node that held this epoch's content before, at a seq the backlog still covers: its seq;
   * - a node that holds what the epoch started from (the same epoch, seq and digest as the
   *   registration it started from), while the backlog covers the epoch's start: that start.
   * Anything else (another epoch's history, a node this broker never had ready, writes no longer
   * held) could hold writes the cluster does not have, or miss some the backlog cannot give.
   */
  resumePoint(request: ResumeRequest, epoch: number, lastSeq: number): { from: number } | { reason: string; ahead?: boolean } {
    if (request.epoch === epoch && this.vouched.has(request.nodeId)) {
      if (request.seq > lastSeq) return { reason: `its seq ${request.seq} is past the broker's ${lastSeq}` };
      if (request.seq < this.coveredFrom) return { reason: `the backlog holds the writes after seq ${this.coveredFrom} only` };
      return { from: request.seq };
    }
    const origin = this._origin;
    if (origin && request.epoch === origin.epoch && request.seq === origin.seq && request.digest === origin.digest) {
      if (this.epochStart < this.coveredFrom) return { reason: `the backlog holds the writes after seq ${this.coveredFrom} only` };
      return { from: this.epochStart };
    }
    // Ahead of where this epoch started: the node holds writes the cluster does not (it registered after the start-up wait).
    const ahead = origin !== undefined && (request.epoch > origin.epoch || (request.epoch === origin.epoch && request.seq > origin.seq));
    return {
      reason: `its data (epoch ${request.epoch}, seq ${request.seq}) is not a point of this epoch's history the broker knows`,
      ahead,
    };
  }

  /**
   * The writes after `seq`, as few frames sent at `sentAt` (the broker's clock now, so that their
   * expiries carry the time left now, not when they were first sent); the first may start before
   * `seq` (the node skips what it has).
   */
  framesAfter(seq: number, sentAt: number): Buffer[] {
    const replay: Buffer[] = [];
    let group: Buffer[] = [];
    let groupBytes = 0;
    for (let i = this.firstHolding(seq + 1); i < this.held.length; i++) {
      const { frame } = this.held[i]!;
      if (group.length > 0 && groupBytes + frame.length > REPLAY_FRAME_BYTES) {
        replay.push(joinWritesFrames(group, sentAt));
        group = [];
        groupBytes = 0;
      }
      group.push(frame);
      groupBytes += frame.length;
    }
    if (group.length > 0) replay.push(joinWritesFrames(group, sentAt));
    return replay;
  }

  /** The index of the held frame with `seq`, or of the first after it. */
  private firstHolding(seq: number): number {
    let low = this.head;
    let high = this.held.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const { firstSeq, count } = this.held[mid]!;
      if (firstSeq + count - 1 < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/**
 * The frame in a memory block of about its own size. An encoded frame is often a view into a larger
 * block (the encoder's spare room, or a slab shared with other small buffers) that holding it would
 * keep alive. A frame that fills most of its block is kept as it is: copying a frame of big values
 * would cost more than the few spare bytes it keeps.
 */
function ownBytes(frame: Buffer): Buffer {
  if (frame.buffer.byteLength - frame.length <= frame.length / 16) return frame;
  const copy = Buffer.allocUnsafeSlow(frame.length);
  frame.copy(copy);
  return copy;
}
