import {
  ContentDigest,
  ENTRY_HIGH_LANE_SALT,
  ENTRY_KEY_SEED,
  ENTRY_OVERHEAD_BYTES,
  entryBytes,
  murmur3,
  murmur3Lanes,
  type EvictionSample,
  type SnapshotEntryVisitor,
  type Write,
} from '@brainer/protocol';
import { AccessClock } from './access-clock.js';
import { EntryStore, type EntryStoreOptions } from './entry-store.js';
import { KeyEncoder } from './key-encoder.js';
import { KeyTable } from './key-table.js';
import type { SnapshotCursor, StorageEngine, StoredEntry } from './storage-engine.js';

/**
 * One hash of a key's bytes, with `entryHash`'s seed, serves both as the key table's hash and as
 * the seed of its entry's digest hash: a write hashes its key once. A test pins the digest hashes
 * made here to `entryHash`'s.
 */
const KEY_SEED = ENTRY_KEY_SEED;
const HIGH_LANE_SALT = ENTRY_HIGH_LANE_SALT;

/** How the engine's arena is cut up (see `EntryStoreOptions`), and the clocks of its access figures. */
export interface MemoryEngineOptions extends EntryStoreOptions {
  /** The monotonic clock of the access figures, in ms. Default `performance.now`. */
  now: () => number;
  /** Random numbers in [0, 1), for eviction samples and LFU counters. Default `Math.random`. */
  random: () => number;
}

/** A sample stops once its keys hold this many bytes, whatever `count` asked. */
const SAMPLE_MAX_KEY_BYTES = 1024 * 1024;
/** Random probes per entry asked for: a sparse store or a rare TTL yields fewer, never an endless search. */
const SAMPLE_PROBES_PER_ENTRY = 16;

/**
 * The default engine, in memory and compact, with no JS object or string per key: a KeyTable (an
 * open-addressing index in one Uint32Array) maps each key's UTF-8 bytes to a slot number, an
 * EntryStore keeps each slot's seq, expiry, hashes and location in typed arrays, and the key and
 * value bytes together in an arena. That is about 150 bytes per key of 12-byte keys and 100-byte
 * values. The digest is kept current on every change.
 */
export class MemoryEngine implements StorageEngine {
  private readonly store: EntryStore;
  private readonly table: KeyTable;
  private readonly encoder = new KeyEncoder();
  private readonly contentDigest = new ContentDigest();
  private readonly access: AccessClock;
  private readonly random: () => number;
  private used = 0;
  /** The last looked-up key: its table hash, and its bytes are `encoder.bytes[0, keyLength)`. */
  private keyHash = 0;
  private keyLength = 0;

  /** The options size the arena; the defaults suit any cache, and tests make them small. */
  constructor(options: Partial<MemoryEngineOptions> = {}) {
    this.store = new EntryStore(options);
    this.table = new KeyTable(this.store);
    this.random = options.random ?? Math.random;
    this.access = new AccessClock(options.now, this.random);
  }

  get size(): number {
    return this.table.size;
  }

  get digest(): string {
    return this.contentDigest.toString();
  }

  /** Used memory: `entryBytes` summed over the stored entries. */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes of key and value storage held, live or garbage. */
  get valueBytes(): number {
    return this.store.allocatedBytes;
  }

  get(key: string, nowMs: number): StoredEntry | undefined {
    const slot = this.lookup(key);
    if (slot < 0) return undefined;
    const expiresAt = this.store.expiryOf(slot);
    if (expiresAt !== 0 && expiresAt <= nowMs) return undefined;
    this.access.touched(slot);
    return { value: this.store.value(slot), seq: this.store.seqOf(slot), expiresAt };
  }

  apply(seq: number, write: Write, nowMs: number): boolean {
    if (write.kind === 'flush') {
      this.clear();
      return false;
    }
    const slot = this.lookup(write.key);
    if (slot >= 0 && this.store.seqOf(slot) >= seq) return false;
    if (write.kind === 'set') {
      this.put(write.value, 0, write.value.length, seq, write.expiresAt, slot);
      return false;
    }
    if (slot < 0) return false;
    if (write.kind === 'expire') {
      // Whether the entry is there, not whether this node's clock still shows it: every node, and a
      // replay of the log at any later time, must do the same. The broker deletes a key whose time
      // is up before it sequences an expire of it.
      this.store.setExpiry(slot, seq, write.expiresAt);
      return true;
    }
    const expiresAt = this.store.expiryOf(slot);
    this.remove(slot);
    return expiresAt === 0 || expiresAt > nowMs;
  }

  load(key: string, bytes: Uint8Array, start: number, end: number, seq: number, expiresAt: number): void {
    const slot = this.lookup(key);
    if (slot >= 0 && this.store.seqOf(slot) >= seq) return;
    this.put(bytes, start, end, seq, expiresAt, slot);
  }

  keys(matches: (key: string) => boolean, nowMs: number): string[] {
    const keys: string[] = [];
    const store = this.store;
    for (let slot = 0; slot < store.slotLimit; slot++) {
      if (!store.isLive(slot)) continue;
      const expiresAt = store.expiryOf(slot);
      if (expiresAt !== 0 && expiresAt <= nowMs) continue;
      const key = store.key(slot);
      if (matches(key)) keys.push(key);
    }
    return keys;
  }

  /** One pass over the slots, comparing key bytes in place: no string is made for a key that does not match. */
  scanPrefix(prefix: string, nowMs: number, visit: (key: string, value: Buffer) => boolean): void {
    const bytes = Buffer.from(prefix, 'utf8');
    const store = this.store;
    for (let slot = 0; slot < store.slotLimit; slot++) {
      if (!store.isLive(slot) || !store.keyStartsWith(slot, bytes, bytes.length)) continue;
      const expiresAt = store.expiryOf(slot);
      if (expiresAt !== 0 && expiresAt <= nowMs) continue;
      if (!visit(store.key(slot), store.value(slot))) return;
    }
  }

  /**
   * The cursor walks slot numbers upward, never table positions. A key keeps its slot for as long
   * as it is stored, through overwrites, table growth and arena compaction, so every key stored
   * unchanged since the cursor began is visited whatever is written between steps. A key written
   * after the cursor began may land in a freed slot the cursor has passed and be missed: it is newer
   * than the snapshot, which the writes that follow it carry. (Table positions would not do: a
   * delete shifts entries back and growth rehashes them all.)
   */
  cursor(): SnapshotCursor {
    let slot = 0;
    return {
      next: (visit: SnapshotEntryVisitor, maxEntries: number, maxBytes: number): boolean => {
        const store = this.store;
        let visited = 0;
        let bytes = 0;
        while (visited < maxEntries && bytes < maxBytes) {
          if (slot >= store.slotLimit) return true;
          if (store.isLive(slot)) {
            bytes += store.visit(slot, visit);
            visited++;
          }
          slot++;
        }
        return slot >= store.slotLimit;
      },
    };
  }

  clear(): void {
    this.table.clear();
    this.store.clear();
    this.contentDigest.clear();
    this.access.clear();
    this.used = 0;
  }

  sample(count: number, volatileOnly: boolean): EvictionSample[] {
    const store = this.store;
    const samples: EvictionSample[] = [];
    if (this.size === 0) return samples;
    const picked = new Set<number>();
    let keyBytes = 0;
    for (let probes = count * SAMPLE_PROBES_PER_ENTRY; probes > 0 && samples.length < count && keyBytes < SAMPLE_MAX_KEY_BYTES; probes--) {
      const slot = Math.floor(this.random() * store.slotLimit);
      if (!store.isLive(slot) || picked.has(slot)) continue;
      const volatile = store.expiryOf(slot) !== 0;
      if (volatileOnly && !volatile) continue;
      picked.add(slot);
      const key = store.key(slot);
      keyBytes += key.length;
      samples.push({
        key,
        idleMs: this.access.idleMs(slot),
        frequency: this.access.frequency(slot),
        volatile,
        bytes: this.storedBytes(slot),
      });
    }
    return samples;
  }

  /** Sizes the slots and the key table for `keys` entries at once, as a joiner does when it learns the snapshot's size. */
  reserve(keys: number): void {
    this.store.reserve(keys);
    this.table.reserve(keys);
  }

  /** Finds a key's slot, or -1, and keeps its bytes and hash for a `put` that follows. */
  private lookup(key: string): number {
    const length = this.encoder.encode(key);
    const bytes = this.encoder.bytes;
    const hash = murmur3(bytes, KEY_SEED, 0, length);
    this.keyHash = hash;
    this.keyLength = length;
    return this.table.find(hash, bytes, length);
  }

  /** Stores the entry for the key of the last `lookup`, which found it in `existing` (or -1). */
  private put(value: Uint8Array, start: number, end: number, seq: number, expiresAt: number, existing: number): void {
    const store = this.store;
    const slot = existing >= 0 ? existing : store.allocate();
    if (existing >= 0) {
      this.contentDigest.removeHash(store.digestLow(slot), store.digestHigh(slot));
      this.used -= this.storedBytes(slot);
    }
    const [low, high] = murmur3Lanes(value, this.keyHash, (this.keyHash ^ HIGH_LANE_SALT) >>> 0, start, end);
    this.contentDigest.addHash(low, high);
    store.write(slot, this.encoder.bytes, this.keyLength, this.keyHash, value, start, end, seq, expiresAt, low, high);
    this.used += entryBytes(this.keyLength, end - start);
    if (existing < 0) {
      this.table.insert(this.keyHash, slot);
      this.access.created(slot);
    } else this.access.touched(slot);
  }

  /** What a live slot's entry counts towards used memory. */
  private storedBytes(slot: number): number {
    return this.store.entryBytes(slot) + ENTRY_OVERHEAD_BYTES;
  }

  private remove(slot: number): void {
    const store = this.store;
    this.contentDigest.removeHash(store.digestLow(slot), store.digestHigh(slot));
    this.used -= this.storedBytes(slot);
    this.table.remove(store.keyHash(slot), slot);
    store.release(slot);
  }
}
