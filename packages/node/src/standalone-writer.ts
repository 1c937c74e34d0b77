import { DEFAULT_LIMITS, ExpiryQueue, WriteOutcomes, type Op, type Reply, type Write } from '@brainer/protocol';
import { Replica } from './replica.js';
import type { StorageEngine } from './storage-engine.js';

type WriteOp = Extract<Op, { op: 'set' | 'del' | 'expire' | 'flushall' }>;

/**
 * The broker's part, in-process, for a node that serves alone: it stamps each write with the next
 * seq and applies it through the same Replica a cluster node applies its stream with, answers a
 * retried write with its first outcome, and decides expiry (invariant 8), as a sequenced delete.
 * Writes are applied as they come, so a read later in the same request sees them.
 */
export class StandaloneWriter {
  readonly replica: Replica;
  private readonly expiries = new ExpiryQueue();
  /** Whether each recent client write removed a key. */
  private readonly outcomes = new WriteOutcomes<boolean>(100_000);
  /** The seqs of the deletes that removed a live key, from the replica's last ack. */
  private removed: readonly number[] = [];

  constructor(
    engine: StorageEngine,
    private readonly wallClock: () => number = Date.now,
  ) {
    const none = (): void => undefined;
    this.replica = new Replica(
      engine,
      // No joins here: nothing is ever buffered.
      { joinBufferWrites: 1, joinBufferBytes: 1 },
      {
        toBroker: (message) => {
          if (message.type === 'ack') this.removed = message.removed;
        },
        startSnapshot: none,
        stopSnapshot: none,
        // The stream is made here, without gaps, in one epoch: a resync cannot happen.
        resync: none,
        // A standalone node keeps its data in memory only.
        storageFailed: none,
        emit: none,
      },
      wallClock,
    );
    const welcome = { type: 'welcome', epoch: 1, state: 'ready', seq: 0, reset: false } as const;
    this.replica.onWelcome({ ...welcome, joinId: 0, sourceId: '', sourceEndpoint: '', heartbeatMs: 0, leaseMs: 0, limits: DEFAULT_LIMITS });
  }

  /** Keys with a pending expiry. */
  get ttlKeys(): number {
    return this.expiries.size;
  }

  /** A client's `set`, `del`, `expire` or `flushall`; `client` is its routing id in hex. */
  write(op: WriteOp, client: string): Reply {
    const key = WriteOutcomes.key(client, op.id);
    const seen = this.outcomes.get(key);
    // As the broker does: a key whose time is up is deleted before an expire can find it.
    if (seen === undefined && op.op === 'expire' && this.expiries.expiredBy(op.key, this.wallClock())) {
      this.expiries.delete(op.key);
      this.apply({ kind: 'del', key: op.key });
    }
    const removed = seen ?? this.apply(this.toWrite(op, client));
    if (seen === undefined) this.outcomes.set(key, removed);
    return { id: op.id, ok: true, value: op.op === 'del' || op.op === 'expire' ? (removed ? 1 : 0) : undefined };
  }

  /** Deletes every key whose TTL has passed; answers how many. */
  expire(): number {
    const expired = this.expiries.takeExpired(this.wallClock());
    for (const key of expired) this.apply({ kind: 'del', key });
    return expired.length;
  }

  private toWrite(op: WriteOp, client: string): Write {
    const origin = { client, opId: op.id };
    if (op.op === 'del') return { kind: 'del', key: op.key, origin };
    if (op.op === 'flushall') return { kind: 'flush', origin };
    // A TTL already over removes the key, as in a cluster.
    if (op.op === 'expire') {
      return op.ttlMs <= 0
        ? { kind: 'del', key: op.key, origin }
        : { kind: 'expire', key: op.key, expiresAt: this.wallClock() + op.ttlMs, origin };
    }
    return { kind: 'set', key: op.key, value: op.value, expiresAt: op.ttlMs > 0 ? this.wallClock() + op.ttlMs : 0, origin };
  }

  /** Sequences and applies one write; true when it was a delete that removed a live key, or an expire that found one. */
  private apply(write: Write): boolean {
    if (write.kind === 'set') this.expiries.set(write.key, write.expiresAt);
    else if (write.kind === 'del') this.expiries.delete(write.key);
    else if (write.kind === 'flush') this.expiries.clear();
    const seq = this.replica.position + 1;
    // Its expiries are on this node's own clock already.
    this.replica.onWrites({ type: 'writes', epoch: this.replica.epoch, firstSeq: seq, sentAt: this.wallClock(), writes: [write] });
    const found = this.removed.includes(seq);
    if (write.kind === 'expire' && found) this.expiries.set(write.key, write.expiresAt);
    return found;
  }
}
