/** The table doubles before its load factor would pass this. */
const MAX_LOAD = 0.7;
const MIN_SIZE = 16;
/** Positions and entries are read with 32-bit bit operations, so a position must fit in 31 bits. */
const MAX_SIZE = 2 ** 31;

/** Where a KeyTable reads the keys it indexes: the slots are the owner's, the table holds their numbers. */
export interface KeySlots {
  /** The 32-bit hash the owner gave the table for the key in `slot`. */
  keyHash(slot: number): number;
  /** Whether the key in `slot` is `bytes[0, length)`. */
  keyEquals(slot: number, bytes: Uint8Array, length: number): boolean;
}

/** The smallest power-of-two size that holds `count` keys without growing. */
function sizeFor(count: number): number {
  let size = MIN_SIZE;
  while (Math.floor(size * MAX_LOAD) < count) {
    if (size >= MAX_SIZE) throw new RangeError(`a key table cannot hold ${count} keys`);
    size *= 2;
  }
  return size;
}

/**
 * An open-addressing hash index from keys to slot numbers, in one Uint32Array: no object and no
 * string per key. The owner keeps the keys (as bytes) and hands the table each key's hash and a way
 * to compare (`KeySlots`).
 *
 * Each entry is `slot + 1` in the bits under the table's mask, 0 for empty, and the hash's bits
 * above the mask as a tag: the home position is the hash's bits under the mask, so the tag is every
 * bit the position does not already give, and a probe only asks the owner to compare keys when the
 * tag matches. Slot numbers must stay under the mask; `insert` grows the table if one would not,
 * which never happens to an owner whose slot numbers stay under its peak key count.
 *
 * Probing is linear, and deletion shifts the rest of the cluster back (no tombstones), so probes
 * never get longer with churn. The table doubles at a load of 0.7. Growing rehashes entries by the
 * owner's `keyHash` and never changes a slot number: owners may rely on slots staying put.
 */
export class KeyTable {
  private entries: Uint32Array<ArrayBuffer>;
  private mask: number;
  private limit: number;
  private count = 0;

  /** `expected`: keys to make room for at once. */
  constructor(
    private readonly slots: KeySlots,
    expected = 0,
  ) {
    const size = sizeFor(expected);
    this.entries = new Uint32Array(size);
    this.mask = size - 1;
    this.limit = Math.floor(size * MAX_LOAD);
  }

  /** Keys in the table. */
  get size(): number {
    return this.count;
  }

  /** Positions in the table (a power of two). */
  get capacity(): number {
    return this.entries.length;
  }

  /** The slot of the key `bytes[0, length)` whose hash is `hash`, or -1. */
  find(hash: number, bytes: Uint8Array, length: number): number {
    const entries = this.entries;
    const mask = this.mask;
    const tagMask = ~mask;
    for (let position = hash & mask; ; position = (position + 1) & mask) {
      const entry = entries[position]!;
      if (entry === 0) return -1;
      if (((entry ^ hash) & tagMask) === 0) {
        const slot = (entry & mask) - 1;
        if (this.slots.keyEquals(slot, bytes, length)) return slot;
      }
    }
  }

  /** Indexes `slot` under `hash`. The key must not be in the table already. */
  insert(hash: number, slot: number): void {
    while (this.count >= this.limit || slot + 1 > this.mask) this.resize(this.entries.length * 2);
    this.place(hash, slot);
    this.count++;
  }

  /** Removes `slot`, indexed under `hash`. Answers whether it was there. */
  remove(hash: number, slot: number): boolean {
    const entries = this.entries;
    const mask = this.mask;
    let hole = hash & mask;
    for (; ; hole = (hole + 1) & mask) {
      const entry = entries[hole]!;
      if (entry === 0) return false;
      if ((entry & mask) === slot + 1) break;
    }
    // Backward shift: walk the rest of the cluster and move back into the hole each entry whose
    // home is not after the hole, so every entry stays reachable from its home without a gap.
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const entry = entries[next]!;
      if (entry === 0) break;
      const home = this.slots.keyHash((entry & mask) - 1) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        entries[hole] = entry;
        hole = next;
      }
    }
    entries[hole] = 0;
    this.count--;
    return true;
  }

  /** Makes room for `count` keys at once. */
  reserve(count: number): void {
    const size = sizeFor(count);
    if (size > this.entries.length) this.resize(size);
  }

  /** Empties the table, back to `expected` keys of room. */
  clear(expected = 0): void {
    const size = sizeFor(expected);
    this.entries = new Uint32Array(size);
    this.mask = size - 1;
    this.limit = Math.floor(size * MAX_LOAD);
    this.count = 0;
  }

  private place(hash: number, slot: number): void {
    const entries = this.entries;
    const mask = this.mask;
    let position = hash & mask;
    while (entries[position] !== 0) position = (position + 1) & mask;
    entries[position] = (hash & ~mask) | (slot + 1);
  }

  private resize(size: number): void {
    if (size > MAX_SIZE) throw new RangeError(`a key table cannot grow past ${MAX_SIZE} positions`);
    const old = this.entries;
    const oldMask = this.mask;
    this.entries = new Uint32Array(size);
    this.mask = size - 1;
    this.limit = Math.floor(size * MAX_LOAD);
    for (let position = 0; position < old.length; position++) {
      const entry = old[position]!;
      if (entry === 0) continue;
      const slot = (entry & oldMask) - 1;
      this.place(this.slots.keyHash(slot), slot);
    }
  }
}
