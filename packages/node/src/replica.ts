import {
  expiryOnLocalClock,
  readSnapshotChunk,
  type CatchUpKind,
  type JoinProgress,
  type Message,
  type MessageOf,
  type Write,
} from '@brainer/protocol';
import { BrokerClock } from './broker-clock.js';
import { EpochFence } from './epoch-fence.js';
import type { CacheNodeEvent } from './events.js';
import { RecentWrites } from './recent-writes.js';
import type { StorageEngine } from './storage-engine.js';

export type ReplicaState = 'registering' | 'joining' | 'ready';

/** The broker's messages that carry its epoch, which the node's fence checks (PROTOCOL.md 5.17). */
export type EpochMessage = MessageOf<'welcome' | 'catch-up' | 'writes' | 'heartbeat-ack'>;

/** The `removed` of an ack that removed nothing; frozen, since every such ack shares it. */
const NOTHING_REMOVED = Object.freeze([]) as unknown as number[];

/** What the replica asks of the process around it. */
export interface ReplicaEffects {
  toBroker(message: Message): void;
  startSnapshot(joinId: number, sourceEndpoint: string, minSeq: number): void;
  stopSnapshot(): void;
  /** The replica cannot go on from where it is: register again. */
  resync(reason: string): void;
  /** The engine could not persist what was applied (ERR_STORAGE): nothing more is acknowledged, and the node should leave. */
  storageFailed(error: Error): void;
  emit(event: CacheNodeEvent): void;
}

export interface ReplicaLimits {
  joinBufferWrites: number;
  joinBufferBytes: number;
}

interface Join {
  id: number;
  /** A snapshot from a peer (`full`), or the broker's backlog of the writes it missed (`partial`). */
  kind: CatchUpKind;
  sourceId: string;
  startedAt: number;
  /** The snapshot's seq, once the source has said it: stream writes up to it are in the snapshot. For a partial resync, where the store already is. */
  snapshotSeq: number | undefined;
  /** The broker's seq when the sync began: the node is caught up once it has it (and the snapshot's). */
  target: number;
  loaded: boolean;
  received: number;
  total: number;
  buffer: { seq: number; write: Write }[];
  bufferBytes: number;
}

/**
 * A node's replication state machine, free of sockets: it applies the broker's write stream in seq
 * order, detects gaps (invariant 1), and runs the joiner's side of a join (invariant 4) — buffer
 * the live stream, load the snapshot, replay what is newer, then report caught up — or of a partial
 * resync, where a node whose store is whole applies the writes it missed from the broker's backlog.
 * An engine that persists gets the stream position with the data, and a node restarted from it
 * starts where the data is.
 */
export class Replica {
  state: ReplicaState = 'registering';
  epoch = 0;
  /** Every write of the stream up to this seq has been received (and, once ready, applied). */
  position = 0;
  /** Whether the store holds the whole content as of (epoch, position), as a ready node's does. */
  private consistent = true;
  private join: Join | undefined;
  private removedSinceAck: number[] = [];
  /** Set once the engine failed to persist: from then on the replica applies and acknowledges nothing. */
  private storageFailed = false;
  /** The client writes applied most recently, for a new broker's retry deduplication; the engine's, when it persists them. */
  readonly recent: RecentWrites;
  /** The broker's clock as learnt from heartbeat round trips: writes' expiries run from when it sent them. */
  readonly brokerClock = new BrokerClock();
  /** The highest epoch accepted, from a broker or from the data directory: a broker below it is deposed. */
  readonly fence: EpochFence;

  constructor(
    readonly engine: StorageEngine,
    private readonly limits: ReplicaLimits,
    private readonly effects: ReplicaEffects,
    /**
     * The clock of the store's expiries: its wall clock, so that a data directory's expiries mean the
     * same after a restart. Expiries from other processes are moved onto it on receipt.
     */
    readonly wallClock: () => number = Date.now,
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    this.recent = engine.recent ?? new RecentWrites();
    const recovered = engine.recovered;
    if (recovered) {
      this.epoch = recovered.epoch;
      this.position = recovered.seq;
      this.consistent = recovered.whole;
    }
    // Data of epoch E came from a broker of E: a broker below it was deposed before this node stopped.
    this.fence = new EpochFence(this.epoch);
  }

  /**
   * Whether a message that carries the broker's epoch may be acted on (PROTOCOL.md 5.17). One below
   * the highest epoch accepted comes from a deposed broker: it is answered with ERR_STALE_EPOCH and
   * must change nothing (no ack, no lease, no state). Two messages that grant nothing and adopt no
   * epoch pass: a `heartbeat-ack` with `leaseMs` 0 (the id probe of 5.15 is one), and a `welcome` to
   * wait for a source, which leaves the node's epoch as it is (a broker that has not yet started an
   * epoch sends it with epoch 0).
   */
  admits(message: EpochMessage): boolean {
    if (!this.fence.refuses(message.epoch) || grantsNothing(message)) return true;
    const refusal = this.fence.refusal(message.type, message.epoch);
    this.effects.toBroker({ type: 'error', code: 'ERR_STALE_EPOCH', message: refusal });
    this.effects.emit({ type: 'epoch:refused', messageType: message.type, epoch: message.epoch, accepted: this.fence.epoch });
    return false;
  }

  /** Whether the store holds the whole content as of (epoch, position). */
  get whole(): boolean {
    return this.consistent;
  }

  get progress(): JoinProgress {
    return this.join ? { received: this.join.received, total: this.join.total } : { received: 0, total: 0 };
  }

  get joinId(): number {
    return this.join?.id ?? 0;
  }

  /** Whether a join from a snapshot source is under way (a partial resync has no source to wait for). */
  get joiningFromSource(): boolean {
    return this.join?.kind === 'full';
  }

  /**
   * The register message, with where the store stands: a whole store of some epoch asks to `resume`
   * from there. A store that is not whole sends `register` with the epoch and seq it had loaded or
   * applied up to, so the broker can tell a node that held data (which must never seed an epoch)
   * from a blank one (seq 0).
   */
  registration(nodeId: string, incarnation: string, endpoint: string): MessageOf<'register' | 'resume'> {
    return {
      type: this.consistent && this.epoch > 0 ? 'resume' : 'register',
      nodeId,
      incarnation,
      endpoint,
      epoch: this.epoch,
      seq: this.position,
      keys: this.engine.size,
      digest: this.engine.digest,
    };
  }

  /** Back to waiting for a welcome, keeping the data (it stays whole if it was). */
  unregistered(): void {
    if (this.join) this.effects.stopSnapshot();
    this.join = undefined;
    this.state = 'registering';
  }

  /** Takes the broker's welcome; answers false when the fence refused it (nothing changed). */
  onWelcome(message: MessageOf<'welcome'>): boolean {
    if (!this.admits(message)) return false;
    if (this.join) this.effects.stopSnapshot();
    this.join = undefined;
    if (message.state === 'joining' && message.sourceEndpoint === '') {
      this.awaitSource();
      return true;
    }
    this.fence.accept(message.epoch);
    this.epoch = message.epoch;
    this.position = message.seq;
    this.removedSinceAck = [];
    if (message.state === 'ready') {
      if (message.reset) this.engine.clear();
      this.becomeWhole();
      this.becomeReady();
      return true;
    }
    this.engine.clear();
    this.consistent = false;
    this.persistPosition();
    this.state = 'joining';
    this.join = {
      id: message.joinId,
      kind: 'full',
      sourceId: message.sourceId,
      startedAt: this.monotonic(),
      snapshotSeq: undefined,
      target: message.seq,
      loaded: false,
      received: 0,
      total: 0,
      buffer: [],
      bufferBytes: 0,
    };
    this.effects.emit({ type: 'join:started', joinId: message.joinId, sync: 'full', sourceId: message.sourceId, minSeq: message.seq });
    this.effects.startSnapshot(message.joinId, message.sourceEndpoint, message.seq);
    return true;
  }

  /**
   * A welcome to join with no source: no node whose data is whole is ready. The node keeps its data
   * and its position as they are (what it would register with again), serves nothing, and waits for
   * the broker's next welcome.
   */
  private awaitSource(): void {
    this.state = 'joining';
    this.effects.emit({ type: 'join:waiting', epoch: this.epoch, seq: this.position });
  }

  /**
   * The broker's answer to `resume`: the store is the cluster's content as of `fromSeq` (the node's
   * own position, or where a new epoch started from content equal to it), and the writes after it
   * come next on the stream. They are applied as they come, without a buffer; the node serves no read
   * until it has reached the broker's seq. A store that is not whole cannot do this: the node says
   * so, and the broker starts a full join instead. Answers false when the fence refused it.
   */
  onCatchUp(message: MessageOf<'catch-up'>): boolean {
    if (!this.admits(message)) return false;
    if (this.join) this.effects.stopSnapshot();
    this.join = undefined;
    if (!this.consistent) {
      this.state = 'registering';
      this.effects.toBroker({
        type: 'join-failed',
        joinId: message.joinId,
        reason: 'the store is not whole; a partial resync needs it whole',
      });
      return true;
    }
    this.fence.accept(message.epoch);
    this.epoch = message.epoch;
    this.position = message.fromSeq;
    this.removedSinceAck = [];
    this.persistPosition();
    this.state = 'joining';
    this.join = {
      id: message.joinId,
      kind: 'partial',
      sourceId: '',
      startedAt: this.monotonic(),
      snapshotSeq: message.fromSeq,
      target: message.seq,
      loaded: true,
      received: 0,
      total: Math.max(0, message.seq - message.fromSeq),
      buffer: [],
      bufferBytes: 0,
    };
    this.effects.emit({ type: 'join:started', joinId: message.joinId, sync: 'partial', sourceId: '', minSeq: message.fromSeq });
    this.maybeCaughtUp();
    return true;
  }

  /** Applies a frame of the write stream; answers false when the fence refused it (nothing applied or acked). */
  onWrites(message: MessageOf<'writes'>): boolean {
    // A frame of an epoch older than one accepted (a deposed broker's) is refused, not a gap.
    if (!this.admits(message)) return false;
    if (this.state === 'registering' || this.storageFailed) return true;
    if (message.epoch !== this.epoch) {
      this.gap(`write stream of epoch ${message.epoch} while in epoch ${this.epoch}`);
      return true;
    }
    if (message.firstSeq > this.position + 1) {
      this.gap(`write stream jumped from seq ${this.position} to ${message.firstSeq}`);
      return true;
    }
    const now = this.wallClock();
    // When the broker sent the frame, on this node's clock; worked out for the first write with a TTL.
    let sentHere = NaN;
    const join = this.join;
    for (let i = 0; i < message.writes.length; i++) {
      const seq = message.firstSeq + i;
      if (seq <= this.position) continue;
      let write = message.writes[i]!;
      if ((write.kind === 'set' || write.kind === 'expire') && write.expiresAt !== 0) {
        // A write read late (this node was paused, or behind) has had part of its time to live
        // already. Moved onto this node's clock now, so a buffered write's time left runs on it too.
        if (Number.isNaN(sentHere)) sentHere = this.brokerClock.localTimeOf(message.sentAt, now);
        write = { ...write, expiresAt: expiryOnLocalClock(write.expiresAt, message.sentAt, sentHere) };
      }
      this.position = seq;
      let removed = false;
      if (join && !join.loaded) {
        if (!this.buffer(join, seq, write)) return true;
      } else if (join) {
        // What a delete removed (or an expire found) is remembered as its outcome, for a retry, even while joining.
        if (seq > join.snapshotSeq!) removed = this.engine.apply(seq, write, now);
        if (join.kind === 'partial') join.received = Math.min(join.total, seq - join.snapshotSeq!);
      } else if (this.engine.apply(seq, write, now)) {
        removed = true;
        this.removedSinceAck.push(seq);
      }
      if (write.origin) this.recent.record(write.origin, write.kind, removed);
    }
    if (this.state === 'ready') this.ack();
    else this.maybeCaughtUp();
    return true;
  }

  onSnapshotBegin(message: MessageOf<'snapshot-begin'>): void {
    const join = this.currentJoin(message.joinId);
    if (!join) return;
    join.snapshotSeq = message.seq;
    join.total = message.totalKeys;
    this.engine.reserve?.(message.totalKeys + join.buffer.length);
    this.emitProgress(join);
  }

  /** Loads a chunk straight into the store: the joiner never holds the dataset twice. */
  onSnapshotChunk(message: MessageOf<'snapshot-chunk'>): boolean {
    const join = this.currentJoin(message.joinId);
    if (!join || join.snapshotSeq === undefined) return false;
    const now = this.wallClock();
    for (const entry of message.entries) {
      const expiresAt = expiryOnLocalClock(entry.expiresAt, message.sentAt, now);
      this.engine.load(entry.key, entry.value, 0, entry.value.length, entry.seq, expiresAt);
    }
    this.countReceived(join, message.entries.length);
    return true;
  }

  /**
   * The same from the raw frame, without decoding it into objects first: the bulk path of a join.
   * Answers the chunk's join id, or undefined when it belongs to no current join.
   */
  onSnapshotChunkFrame(frame: Buffer): number | undefined {
    const join = this.join;
    if (!join || join.snapshotSeq === undefined) return undefined;
    const engine = this.engine;
    let joinId = 0;
    const { count } = readSnapshotChunk(
      frame,
      this.wallClock(),
      (key, bytes, start, end, seq, expiresAt) => {
        engine.load(key, bytes, start, end, seq, expiresAt);
      },
      (id) => {
        joinId = id;
        return id === join.id;
      },
    );
    if (joinId !== join.id) return undefined;
    this.countReceived(join, count);
    return joinId;
  }

  private countReceived(join: Join, entries: number): void {
    join.received += entries;
    if (join.received > join.total) join.total = join.received;
  }

  onSnapshotEnd(message: MessageOf<'snapshot-end'>): void {
    const join = this.currentJoin(message.joinId);
    if (!join || join.snapshotSeq === undefined) return;
    join.loaded = true;
    join.total = join.received;
    const now = this.wallClock();
    for (const { seq, write } of join.buffer) if (seq > join.snapshotSeq) this.engine.apply(seq, write, now);
    join.buffer = [];
    join.bufferBytes = 0;
    this.emitProgress(join);
    this.maybeCaughtUp();
  }

  emitProgress(join = this.join): void {
    if (join) this.effects.emit({ type: 'join:progress', joinId: join.id, received: join.received, total: join.total });
  }

  /** Gives up the current join and asks the broker for another. */
  failJoin(reason: string, joinId = this.joinId): void {
    const join = this.currentJoin(joinId);
    if (!join) return;
    this.effects.stopSnapshot();
    this.join = undefined;
    // A partial resync's store is whole as far as it got; a snapshot's half-loaded store is not.
    if (join.kind === 'full') this.engine.clear();
    this.state = 'registering';
    this.effects.emit({ type: 'join:failed', joinId: join.id, reason });
    this.effects.toBroker({ type: 'join-failed', joinId: join.id, reason });
  }

  private buffer(join: Join, seq: number, write: Write): boolean {
    // The stream's values are views into its frames; keep a copy so frames can be freed.
    join.buffer.push({ seq, write: write.kind === 'set' ? { ...write, value: Buffer.from(write.value) } : write });
    join.bufferBytes += (write.kind === 'flush' ? 0 : write.key.length) + (write.kind === 'set' ? write.value.length : 0) + 48;
    if (join.buffer.length > this.limits.joinBufferWrites || join.bufferBytes > this.limits.joinBufferBytes) {
      this.failJoin(`join buffer overflow (${join.buffer.length} writes, ${join.bufferBytes} bytes)`);
      return false;
    }
    return true;
  }

  private maybeCaughtUp(): void {
    const join = this.join;
    if (!join || !join.loaded || join.snapshotSeq === undefined || this.position < Math.max(join.snapshotSeq, join.target)) return;
    this.join = undefined;
    this.effects.stopSnapshot();
    this.becomeWhole();
    // The broker counts caught-up as an ack.
    if (!this.persist()) return;
    this.effects.toBroker({ type: 'caught-up', joinId: join.id, seq: this.position });
    this.becomeReady();
    this.effects.emit({
      type: 'join:completed',
      joinId: join.id,
      sync: join.kind,
      seq: this.position,
      keys: this.engine.size,
      ms: Math.round(this.monotonic() - join.startedAt),
    });
  }

  private becomeWhole(): void {
    this.consistent = true;
    this.persistPosition();
  }

  private becomeReady(): void {
    this.state = 'ready';
    this.effects.emit({ type: 'node:state', state: 'ready', epoch: this.epoch, seq: this.position });
  }

  private persistPosition(): void {
    this.engine.markPosition?.({ epoch: this.epoch, seq: this.position, whole: this.consistent });
  }

  private ack(): void {
    if (!this.persist()) return;
    // Most acks remove nothing: they share one empty list, and the replica's own stays to be filled.
    const removed = this.removedSinceAck.length === 0 ? NOTHING_REMOVED : this.removedSinceAck;
    this.effects.toBroker({ type: 'ack', epoch: this.epoch, seq: this.position, removed });
    if (removed !== NOTHING_REMOVED) this.removedSinceAck = [];
  }

  /** Makes what was applied as durable as the engine promises; answers false, once and for good, when it cannot. */
  private persist(): boolean {
    if (this.storageFailed) return false;
    try {
      this.engine.commit?.();
      return true;
    } catch (error) {
      this.storageFailed = true;
      this.effects.storageFailed(error as Error);
      return false;
    }
  }

  private gap(reason: string): void {
    if (this.join) this.effects.stopSnapshot();
    // A partial resync applies the stream in order, so its store stays whole; a snapshot join's does not.
    if (this.state === 'joining' && this.join?.kind !== 'partial') this.consistent = false;
    this.join = undefined;
    this.state = 'registering';
    this.effects.emit({ type: 'resync', reason });
    this.effects.resync(reason);
  }

  private currentJoin(joinId: number): Join | undefined {
    return this.join && this.join.id === joinId ? this.join : undefined;
  }
}

/** A lease-free heartbeat-ack, or a welcome to wait for a source: neither grants anything nor sets the node's epoch. */
function grantsNothing(message: EpochMessage): boolean {
  if (message.type === 'heartbeat-ack') return message.leaseMs === 0;
  return message.type === 'welcome' && message.state === 'joining' && message.sourceEndpoint === '';
}
