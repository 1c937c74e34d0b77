import type { EvictionSample, SnapshotEntryVisitor, Write } from '@brainer/protocol';
import type { RecentWrites } from './recent-writes.js';

/** One stored value with the seq of the write that made it and its expiry (wall-clock ms, 0 for none). */
export interface StoredEntry {
  value: Buffer;
  seq: number;
  expiresAt: number;
}

/** Where a node stands in the write stream, as an engine that persists keeps it beside the data. */
export interface StreamPosition {
  epoch: number;
  /** The last seq of the stream the store has. */
  seq: number;
  /** Whether the store holds the whole content as of (epoch, seq); false while a join loads it. */
  whole: boolean;
}

/**
 * Where a node keeps its data. Every write carries its seq; an engine ignores a write whose seq is
 * not newer than the entry it would replace, which is what lets a joiner merge a snapshot with the
 * writes it buffered (invariant 4).
 */
export interface StorageEngine {
  /** Live entries, expired ones included until their delete arrives. */
  readonly size: number;
  /** The order-independent digest of the whole content (16 hex digits). */
  readonly digest: string;
  /** The entry, or undefined when missing or expired at `nowMs`. */
  get(key: string, nowMs: number): StoredEntry | undefined;
  /** Applies a sequenced write. For a delete or an expire, answers whether it found an entry that had not expired. */
  apply(seq: number, write: Write, nowMs: number): boolean;
  /**
   * Loads one snapshot entry whose value is `bytes[start, end)`, keeping whichever of it and the
   * current entry is newer. The engine copies the bytes.
   */
  load(key: string, bytes: Uint8Array, start: number, end: number, seq: number, expiresAt: number): void;
  /** Keys matching `matches` that have not expired at `nowMs`. */
  keys(matches: (key: string) => boolean, nowMs: number): string[];
  /**
   * Visits every entry whose key starts with `prefix` and that has not expired at `nowMs`, in no
   * particular order, until `visit` answers false. The value may be a view: copy it to keep it.
   */
  scanPrefix(prefix: string, nowMs: number, visit: (key: string, value: Buffer) => boolean): void;
  /** A cursor over the live content that survives writes made between its steps (snapshots use it). */
  cursor(): SnapshotCursor;
  clear(): void;
  /** A hint that about `keys` entries are coming, so the engine can size itself once. */
  reserve?(keys: number): void;
  /** For an engine that persists: where its data stood when it was loaded from disk; undefined when it started empty. */
  readonly recovered?: StreamPosition;
  /**
   * For an engine that persists: records the node's position beside the data. Between two marks,
   * each applied write moves the position to its seq while the store is whole; `clear` makes it not
   * whole.
   */
  markPosition?(position: StreamPosition): void;
  /**
   * For an engine that persists: the origins of the last client writes, kept with the data, so that
   * after a restart of the whole cluster a new broker still recognises a retried write. The node
   * records into it; without it, the node keeps them in memory only.
   */
  readonly recent?: RecentWrites;
  /**
   * Called before the node acknowledges what it has applied: an engine that persists makes it as
   * durable as its mode promises, or throws a BrainerError `ERR_STORAGE` when it cannot (then or
   * before), and the node acknowledges nothing.
   */
  commit?(): void;
  /** Figures about the engine for the node's `stats`. */
  stats?(): Record<string, unknown>;
  /**
   * The used memory the broker's `maxmemory` bounds: the sum of `entryBytes` over the stored
   * entries. An engine without it leaves the node's usage unknown to the broker.
   */
  readonly usedBytes?: number;
  /**
   * Up to `count` entries picked at random, with when and how often each was last read or written
   * here (reads and writes count as accesses); with `volatileOnly`, only entries that have a TTL.
   */
  sample?(count: number, volatileOnly: boolean): EvictionSample[];
}

/** Walks an engine's content in steps, as a snapshot source does one chunk at a time. */
export interface SnapshotCursor {
  /**
   * Visits entries until `maxEntries` or about `maxBytes` of values have been visited. Answers true
   * once every entry has been visited.
   */
  next(visit: SnapshotEntryVisitor, maxEntries: number, maxBytes: number): boolean;
}
