import { WriteOutcomes, type RecentWrite, type WriteKind } from '@brainer/protocol';
import type { ReplyTarget } from './reply-target.js';

/** What the broker remembers of one client write, by the client's id and the op's id. */
export interface DedupEntry {
  done: boolean;
  kind: WriteKind;
  /** For a delete that is done: whether it removed a key. */
  removed: boolean;
  /** Retries that arrived while the write was pending: they get the same answer. */
  waiters: ReplyTarget[];
}

/**
 * Makes client writes idempotent: a client retries a write with the same op id on the same
 * connection identity, and the broker answers a retry of a write it has seen with that write's
 * outcome instead of applying it again. Bounded: the oldest entries are forgotten first. The table
 * is protocol's `WriteOutcomes`, the one a standalone node keeps too; what the broker adds is a
 * write still in flight (its retries wait for its outcome) and the writes a predecessor completed.
 */
export class DedupTable {
  private readonly entries: WriteOutcomes<DedupEntry>;

  constructor(capacity = 200_000) {
    this.entries = new WriteOutcomes(capacity);
  }

  get size(): number {
    return this.entries.size;
  }

  static key(client: string, opId: number): string {
    return WriteOutcomes.key(client, opId);
  }

  get(key: string): DedupEntry | undefined {
    return this.entries.get(key);
  }

  pending(key: string, kind: WriteKind): void {
    this.entries.set(key, { done: false, kind, removed: false, waiters: [] });
  }

  /** Marks the write done and returns the retries that were waiting for it. */
  complete(key: string, removed: boolean): ReplyTarget[] {
    const entry = this.entries.get(key);
    if (!entry) return [];
    entry.done = true;
    entry.removed = removed;
    const waiters = entry.waiters;
    entry.waiters = [];
    return waiters;
  }

  /** Forgets a write whose outcome is unknown, returning its waiting retries. */
  forget(key: string): ReplyTarget[] {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry?.waiters ?? [];
  }

  /** Records writes a predecessor broker completed, as a node remembers them. */
  loadDone(entries: readonly RecentWrite[]): void {
    for (const [client, opId, kind, removed] of entries) {
      this.entries.set(DedupTable.key(client, opId), { done: true, kind, removed: removed === 1, waiters: [] });
    }
  }
}
