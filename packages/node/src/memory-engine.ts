import { ContentDigest, entryHash, type SnapshotEntryVisitor, type Write } from '@brainer/protocol';
import type { SnapshotCursor, StorageEngine, StoredEntry } from './storage-engine.js';
import { ValueArena } from './value-arena.js';

/** Compaction starts once garbage passes both this many bytes and half of the arena. */
const COMPACT_MIN_GARBAGE = 32 * 1024 * 1024;

/**
 * The default engine, in memory and compact: a Map from key to a slot number, the slots' seq,
 * expiry and value location in typed arrays, and the values themselves in a ValueArena. That is
 * about 200 bytes per key of 100-byte values, against twice that for a Buffer per value. The digest
 * is kept current on every change.
 */
export class MemoryEngine implements StorageEngine {
  private readonly index = new Map<string, number>();
  private readonly arena = new ValueArena();
  private readonly contentDigest = new ContentDigest();
  private seqs = new Float64Array(1024);
  /** Allocated on the first write with a TTL: a cache without TTLs pays nothing for them. */
  private expiries: Float64Array<ArrayBuffer> | undefined;
  private locations = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  /** Each entry's hash, kept so that removing it from the digest needs no rehash. */
  private hashLow = new Uint32Array(1024);
  private hashHigh = new Uint32Array(1024);
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;

  get size(): number {
    return this.index.size;
  }

  get digest(): string {
    return this.contentDigest.toString();
  }

  /** Bytes of value storage held, live or garbage. */
  get valueBytes(): number {
    return this.arena.allocatedBytes;
  }

  get(key: string, nowMs: number): StoredEntry | undefined {
    const slot = this.index.get(key);
    if (slot === undefined) return undefined;
    const expiresAt = this.expiryOf(slot);
    if (expiresAt !== 0 && expiresAt <= nowMs) return undefined;
    return { value: this.valueOf(slot), seq: this.seqs[slot]!, expiresAt };
  }

  apply(seq: number, write: Write, nowMs: number): boolean {
    const slot = this.index.get(write.key);
    if (slot !== undefined && this.seqs[slot]! >= seq) return false;
    if (write.kind === 'set') {
      this.put(write.key, write.value, seq, write.expiresAt, slot);
      return false;
    }
    if (slot === undefined) return false;
    const expiresAt = this.expiryOf(slot);
    this.remove(write.key, slot);
    return expiresAt === 0 || expiresAt > nowMs;
  }

  load(key: string, bytes: Uint8Array, start: number, end: number, seq: number, expiresAt: number): void {
    const slot = this.index.get(key);
    if (slot !== undefined && this.seqs[slot]! >= seq) return;
    this.put(key, bytes, seq, expiresAt, slot, start, end);
  }

  keys(matches: (key: string) => boolean, nowMs: number): string[] {
    const keys: string[] = [];
    for (const [key, slot] of this.index) {
      const expiresAt = this.expiryOf(slot);
      if ((expiresAt === 0 || expiresAt > nowMs) && matches(key)) keys.push(key);
    }
    return keys;
  }

  cursor(): SnapshotCursor {
    const iterator = this.index.entries();
    return {
      next: (visit: SnapshotEntryVisitor, maxEntries: number, maxBytes: number): boolean => {
        let bytes = 0;
        for (let visited = 0; visited < maxEntries && bytes < maxBytes; visited++) {
          const step = iterator.next();
          if (step.done) return true;
          const [key, slot] = step.value;
          const length = this.lengths[slot]!;
          const location = this.locations[slot]!;
          const chunk = this.arena.chunkBuffer(location);
          const start = this.arena.offsetOf(location);
          visit(key, chunk, start, start + length, this.seqs[slot]!, this.expiryOf(slot));
          bytes += length + key.length;
        }
        return false;
      },
    };
  }

  clear(): void {
    this.index.clear();
    this.arena.clear();
    this.contentDigest.clear();
    this.freeSlots.length = 0;
    this.nextSlot = 0;
    this.seqs = new Float64Array(1024);
    this.expiries = undefined;
    this.locations = new Float64Array(1024);
    this.lengths = new Uint32Array(1024);
    this.hashLow = new Uint32Array(1024);
    this.hashHigh = new Uint32Array(1024);
  }

  private expiryOf(slot: number): number {
    return this.expiries === undefined ? 0 : this.expiries[slot]!;
  }

  /** Sizes the slot arrays for `keys` entries at once, as a joiner does when it learns the snapshot's size. */
  reserve(keys: number): void {
    if (keys > this.seqs.length) this.grow(keys);
  }

  private valueOf(slot: number): Buffer {
    return this.arena.view(this.locations[slot]!, this.lengths[slot]!);
  }

  private put(
    key: string,
    value: Uint8Array,
    seq: number,
    expiresAt: number,
    existing: number | undefined,
    start = 0,
    end = value.length,
  ): void {
    let slot = existing;
    if (slot === undefined) {
      slot = this.allocateSlot();
      this.index.set(key, slot);
    } else {
      this.contentDigest.removeHash(this.hashLow[slot]!, this.hashHigh[slot]!);
      this.arena.free(this.locations[slot]!, this.lengths[slot]!);
    }
    const [low, high] = entryHash(key, value, start, end);
    this.contentDigest.addHash(low, high);
    this.hashLow[slot] = low;
    this.hashHigh[slot] = high;
    this.seqs[slot] = seq;
    if (expiresAt !== 0 || this.expiries) {
      this.expiries ??= new Float64Array(this.seqs.length);
      this.expiries[slot] = expiresAt;
    }
    this.locations[slot] = this.arena.store(value, start, end);
    this.lengths[slot] = end - start;
    this.compactIfNeeded();
  }

  private remove(key: string, slot: number): void {
    this.contentDigest.removeHash(this.hashLow[slot]!, this.hashHigh[slot]!);
    this.arena.free(this.locations[slot]!, this.lengths[slot]!);
    this.index.delete(key);
    this.freeSlots.push(slot);
    this.compactIfNeeded();
  }

  private allocateSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.nextSlot === this.seqs.length) this.grow(Math.ceil(this.seqs.length * 1.25));
    return this.nextSlot++;
  }

  private grow(capacity: number): void {
    const grow64 = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    const grow32 = (old: Uint32Array): Uint32Array<ArrayBuffer> => {
      const next = new Uint32Array(capacity);
      next.set(old);
      return next;
    };
    this.seqs = grow64(this.seqs);
    if (this.expiries) this.expiries = grow64(this.expiries);
    this.locations = grow64(this.locations);
    this.lengths = grow32(this.lengths);
    this.hashLow = grow32(this.hashLow);
    this.hashHigh = grow32(this.hashHigh);
  }

  /** Moves live values out of mostly-garbage chunks so those chunks can be released. */
  private compactIfNeeded(): void {
    const garbage = this.arena.garbageBytes;
    if (garbage < COMPACT_MIN_GARBAGE || garbage * 2 < this.arena.allocatedBytes) return;
    const sparse = this.arena.sparseChunks(0.5);
    if (sparse.size === 0) return;
    for (const slot of this.index.values()) {
      const location = this.locations[slot]!;
      if (!sparse.has(this.arena.chunkOf(location))) continue;
      const length = this.lengths[slot]!;
      const moved = this.arena.store(
        this.arena.chunkBuffer(location),
        this.arena.offsetOf(location),
        this.arena.offsetOf(location) + length,
      );
      this.arena.free(location, length);
      this.locations[slot] = moved;
    }
  }
}
