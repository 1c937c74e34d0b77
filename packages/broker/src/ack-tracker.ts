import type { ErrorCode, WaitMode, WriteKind } from '@brainer/protocol';
import type { Membership } from './membership.js';
import type { NodeRecord } from './node-record.js';
import type { ReplyTarget } from './reply-target.js';

/** A sequenced write waiting for the acknowledgements its wait mode needs. */
export interface PendingWrite {
  readonly seq: number;
  readonly kind: WriteKind;
  /** Absent for writes the broker makes itself, such as expiry deletes. */
  readonly target: ReplyTarget | undefined;
  mode: WaitMode;
  readonly primaryId: string;
  /** For a delete or an expire: whether some node reported that it found the key (and removed it, for a delete). */
  removed: boolean;
  /** The client write's key in the dedup table, if it came from a client. */
  readonly dedupKey: string | undefined;
  /** For an expire: the key and the expiry it gives, which the broker forgets if no node had the key. */
  readonly expiry?: { readonly key: string; readonly at: number };
  /** When it was sequenced, on the broker's clock (ms): for the write-to-ack latency metric. */
  readonly sequencedAt: number;
}

/** A node that left while it may still hold a read lease: `all` writes past `acked` wait until `until`. */
interface Fence {
  acked: number;
  until: number;
}

export interface AckOutcomeHandler {
  completed(write: PendingWrite): void;
  failed(write: PendingWrite, code: ErrorCode, message: string): void;
}

/** A FIFO queue with O(1) shift. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

/**
 * Decides when each write may be acknowledged (invariant 2): in `all` mode once every ready node
 * has applied it, in `primary` mode once the key's primary has. Nodes ack cumulatively, so the
 * `all` queue drains up to the lowest seq every ready node has reached. A node that leaves is waited
 * for until its read lease has certainly expired, so that it never serves a read that misses a
 * write already acknowledged.
 */
export class AckTracker {
  private readonly allQueue = new Queue<PendingWrite>();
  private readonly primaryQueues = new Map<string, Queue<PendingWrite>>();
  private readonly deletes = new Map<number, PendingWrite>();
  private fences: Fence[] = [];
  /** No write is acknowledged before this time: a new broker waits out leases it cannot know. */
  private ackFloor: number;

  constructor(
    private readonly membership: Membership,
    private readonly now: () => number,
    private readonly outcome: AckOutcomeHandler,
    startFenceUntil = Infinity,
  ) {
    this.ackFloor = startFenceUntil;
  }

  /** Acknowledges nothing before `at`: a broker that starts to lead waits out leases it cannot know. */
  holdUntil(at: number): void {
    this.ackFloor = at;
  }

  get pending(): number {
    let count = this.allQueue.length;
    for (const queue of this.primaryQueues.values()) count += queue.length;
    return count;
  }

  add(write: PendingWrite): void {
    if (answersHit(write.kind)) this.deletes.set(write.seq, write);
    if (write.mode === 'primary') {
      let queue = this.primaryQueues.get(write.primaryId);
      if (!queue) this.primaryQueues.set(write.primaryId, (queue = new Queue()));
      queue.push(write);
    } else {
      this.allQueue.push(write);
    }
  }

  onAck(node: NodeRecord, seq: number, removed: readonly number[]): void {
    for (const removedSeq of removed) {
      const write = this.deletes.get(removedSeq);
      if (write) write.removed = true;
    }
    if (seq > node.acked) node.acked = seq;
    this.check();
  }

  /** A ready node left: its primary writes now wait for every remaining node instead. */
  onNodeRemoved(node: NodeRecord, leaseEndsAt: number): void {
    if (leaseEndsAt > this.now()) this.fences.push({ acked: node.acked, until: leaseEndsAt });
    const queue = this.primaryQueues.get(node.id);
    if (queue) {
      this.primaryQueues.delete(node.id);
      const moved = queue.drain();
      for (const write of moved) write.mode = 'all';
      this.requeueAll(moved);
    }
    this.check();
  }

  /** When the next fence or the start floor lifts, if something waits on one. */
  nextWakeAt(): number | undefined {
    const now = this.now();
    let wake: number | undefined;
    if (this.ackFloor > now && this.ackFloor < Infinity && this.pending > 0) wake = this.ackFloor;
    for (const fence of this.fences) if (fence.until > now) wake = Math.min(wake ?? Infinity, fence.until);
    return wake;
  }

  /** Completes every write whose acknowledgements are in. */
  check(): void {
    const now = this.now();
    if (now < this.ackFloor) return;
    if (this.membership.ready.length === 0) {
      // Retryable: a retry with the same request id is answered from the nodes' recent writes if
      // one of them applied it after all, and applied once otherwise.
      this.failAll('ERR_NOT_READY', 'every node that held this write left before applying it');
      return;
    }
    this.fences = this.fences.filter((fence) => fence.until > now);
    for (const [nodeId, queue] of this.primaryQueues) {
      const node = this.membership.byNodeId(nodeId);
      if (!node) continue;
      while (queue.length > 0 && queue.peek()!.seq <= node.acked) this.complete(queue.shift()!);
    }
    let limit = this.membership.minReadyAcked();
    for (const fence of this.fences) limit = Math.min(limit, fence.acked);
    while (this.allQueue.length > 0 && this.allQueue.peek()!.seq <= limit) this.complete(this.allQueue.shift()!);
  }

  failAll(code: ErrorCode, message: string): void {
    const failed = this.allQueue.drain();
    for (const queue of this.primaryQueues.values()) failed.push(...queue.drain());
    this.primaryQueues.clear();
    this.deletes.clear();
    for (const write of failed) this.outcome.failed(write, code, message);
  }

  private complete(write: PendingWrite): void {
    if (answersHit(write.kind)) this.deletes.delete(write.seq);
    this.outcome.completed(write);
  }

  /** Merges writes back into the `all` queue, keeping it in seq order. */
  private requeueAll(moved: PendingWrite[]): void {
    if (moved.length === 0) return;
    const merged = [...this.allQueue.drain(), ...moved].sort((a, b) => a.seq - b.seq);
    for (const write of merged) this.allQueue.push(write);
  }
}

/** Whether a write's answer says if the key was there: a delete's count, an expire's 1 or 0. */
export function answersHit(kind: WriteKind): boolean {
  return kind === 'del' || kind === 'expire';
}
