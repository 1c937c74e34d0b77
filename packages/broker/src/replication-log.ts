import { encode, type MessageOf, type WaitMode, type Write } from '@brainer/protocol';
import { AcknowledgedHistory, type HistoryPoint } from './acknowledged-history.js';
import { Backlog, type BacklogLimits, type EpochOrigin, type ResumeRequest } from './backlog.js';
import { Sequencer } from './sequencer.js';
import { WritesFanout } from './writes-fanout.js';

/**
 * The replication log, in one place: the sequencer that stamps writes, the tick's batch of them,
 * their fan-out to every node, the backlog of what went out, and how far the log has been
 * acknowledged, this epoch and in the epochs before.
 */
export class ReplicationLog {
  private readonly sequencer = new Sequencer();
  private readonly backlog: Backlog;
  private readonly fanout: WritesFanout;
  private readonly history = new AcknowledgedHistory();
  /** The highest seq any registration has reported, for the seed policy. */
  heardSeq = 0;
  /** The first seq of the current epoch: writes after it were stamped in this epoch. */
  private startSeq = 0;
  /** Set when the current epoch started from data that was not whole (`acceptDataLoss`): what may be lost. */
  private loss: string | undefined;
  /** The highest seq acknowledged so far, in any wait mode. */
  private acknowledgedAny = 0;
  /** The highest seq acknowledged in `all` mode: every ready node must have applied it. */
  private acknowledgedAll = 0;

  /** `broadcast` sends one encoded `writes` frame to every node, ready or joining. */
  constructor(
    limits: BacklogLimits,
    private readonly broadcast: (frame: Buffer) => void,
    private readonly now: () => number,
  ) {
    this.backlog = new Backlog(limits);
    this.fanout = new WritesFanout((batch) => this.send(batch));
  }

  get epoch(): number {
    return this.sequencer.epoch;
  }

  get lastSeq(): number {
    return this.sequencer.lastSeq;
  }

  get epochStartSeq(): number {
    return this.startSeq;
  }

  get epochLoss(): string | undefined {
    return this.loss;
  }

  get acknowledgedSeq(): number {
    return this.acknowledgedAny;
  }

  get acknowledgedAllSeq(): number {
    return this.acknowledgedAll;
  }

  /** The registration this epoch's content started from, if it did not start empty. */
  get origin(): EpochOrigin | undefined {
    return this.backlog.origin;
  }

  get backlogStats(): { writes: number; bytes: number; fromSeq: number } {
    return this.backlog.stats;
  }

  /**
   * Starts `epoch` after every seq heard of, from `origin`'s content (none: empty). Writes stamped
   * in the old epoch go out as its frames first. Returns the epoch's start seq.
   */
  startEpoch(epoch: number, origin: EpochOrigin | undefined, loss: string | undefined): number {
    this.sealAll();
    this.sequencer.startEpoch(epoch, this.heardSeq);
    const seq = this.sequencer.lastSeq;
    this.history.startEpoch(epoch, seq);
    this.startSeq = seq;
    this.loss = loss;
    this.backlog.startEpoch(seq, origin);
    return seq;
  }

  /** Stamps a write (invariant 1) into this tick's batch; returns its seq. */
  append(write: Write): number {
    return this.sequencer.next(write);
  }

  /**
   * Sends the writes stamped this tick to every node, as frames of bounded size, a turn's worth at
   * a time. Returns whether some are left for the next turn.
   */
  seal(): boolean {
    this.fanout.add(this.sequencer.take(this.now()));
    return this.fanout.sendTurn();
  }

  /** Sends every write stamped so far now, so that the backlog and a snapshot source have them all. */
  sealAll(): void {
    this.fanout.add(this.sequencer.take(this.now()));
    this.fanout.sendAll();
  }

  acknowledge(seq: number, mode: WaitMode): void {
    this.acknowledgedAny = Math.max(this.acknowledgedAny, seq);
    this.history.acknowledge(this.sequencer.epoch, seq);
    if (mode === 'all') this.acknowledgedAll = Math.max(this.acknowledgedAll, seq);
  }

  /** The last write this broker acknowledged: data that lacks it is not whole. */
  lastAcknowledged(): HistoryPoint | undefined {
    return this.history.latest();
  }

  /** Whether this broker sequenced `epoch` and acknowledged nothing in it past `seq`. */
  acknowledgedNothingAfter(epoch: number, seq: number): boolean {
    return this.history.acknowledgedNothingAfter(epoch, seq);
  }

  /** Where a node that asks to resume may catch up from the backlog, or why it cannot. */
  resumePoint(request: ResumeRequest): { from: number } | { reason: string; ahead?: boolean } {
    this.sealAll();
    return this.backlog.resumePoint(request, this.sequencer.epoch, this.sequencer.lastSeq);
  }

  /** The frames of every write after `seq`, for a node catching up. */
  framesAfter(seq: number): Buffer[] {
    return this.backlog.framesAfter(seq, this.now());
  }

  /** What `nodeId` holds is this epoch's content from now on. */
  vouch(nodeId: string): void {
    this.backlog.vouch(nodeId);
  }

  /** Encodes one `writes` message once, sends that frame to every node and keeps it; returns its size. */
  private send(batch: MessageOf<'writes'>): number {
    const frame = encode(batch);
    this.broadcast(frame);
    this.backlog.add(batch.firstSeq, batch.writes.length, frame);
    return frame.length;
  }
}
