import { requireInteger, type SnapshotEntryVisitor } from '@brainer/protocol';
import type { KeySlots } from './key-table.js';
import { copyBytes, ValueArena } from './value-arena.js';

export interface EntryStoreOptions {
  /** Bytes of each shared arena chunk; an entry over a quarter of that gets a chunk of its own. Default 8 MiB. */
  chunkBytes: number;
  /** Compaction starts once garbage passes both this many bytes and half of the arena. Default 32 MiB. */
  compactMinGarbageBytes: number;
}

export const DEFAULT_ENTRY_STORE_OPTIONS: EntryStoreOptions = {
  chunkBytes: 8 * 1024 * 1024,
  compactMinGarbageBytes: 32 * 1024 * 1024,
};

const INITIAL_SLOTS = 1024;

/*
 * A slot is one 32-byte record in a shared buffer, read through a Float64Array and a Uint32Array
 * over it, so that everything about an entry is in one cache line:
 *   f64 0  seq (for a free slot: the next free slot, or -1)
 *   f64 1  location of the entry's bytes in the arena (FREE for a free slot)
 *   u32 4  value length
 *   u32 5  key hash (the KeyTable's)
 *   u32 6  digest hash, low half
 *   u32 7  digest hash, high half
 * Expiries live apart, allocated on the first write with a TTL: a cache without TTLs pays nothing
 * for them.
 */
const F64_FIELDS = 4;
const U32_FIELDS = 8;
const SEQ = 0;
const LOCATION = 1;
const VALUE_LENGTH = 4;
const KEY_HASH = 5;
const DIGEST_LOW = 6;
const DIGEST_HIGH = 7;
const FREE = -1;

/* An entry's bytes in the arena: its key's length as a LEB128 varint, the key's UTF-8, the value. */

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

function writeVarint(bytes: Buffer, offset: number, value: number): number {
  while (value >= 0x80) {
    bytes[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 0x80);
  }
  bytes[offset++] = value;
  return offset;
}

function readVarint(bytes: Buffer, offset: number): number {
  let value = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = bytes[offset++]!;
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
  } while (byte & 0x80);
  return value;
}

/**
 * The entries of a MemoryEngine by slot number: each slot's seq, expiry, hashes and the location
 * of its key and value, which sit together in a ValueArena. A slot keeps its number for as long as
 * its key is stored, through overwrites and compaction; freed slots are reused, the last freed first.
 * The store is the KeyTable's `KeySlots`: the table indexes slot numbers by key.
 */
export class EntryStore implements KeySlots {
  private readonly arena: ValueArena;
  private readonly compactMinGarbage: number;
  private f64 = new Float64Array(INITIAL_SLOTS * F64_FIELDS);
  private u32 = new Uint32Array(this.f64.buffer);
  private expiries: Float64Array<ArrayBuffer> | undefined;
  private capacity = INITIAL_SLOTS;
  /** Every slot ever handed out is under this; the slots under it that are not live are free. */
  private end = 0;
  /** The free slots are a stack threaded through their seq fields. */
  private freeHead = -1;

  constructor(options: Partial<EntryStoreOptions> = {}) {
    const { chunkBytes, compactMinGarbageBytes } = { ...DEFAULT_ENTRY_STORE_OPTIONS, ...options };
    this.arena = new ValueArena(requireInteger('chunkBytes', chunkBytes, 64, 2 ** 30));
    this.compactMinGarbage = requireInteger('compactMinGarbageBytes', compactMinGarbageBytes, 0);
  }

  /** Every live slot's number is under this. */
  get slotLimit(): number {
    return this.end;
  }

  /** Bytes of entry storage held, live or garbage. */
  get allocatedBytes(): number {
    return this.arena.allocatedBytes;
  }

  /** A free slot, to `write` next. */
  allocate(): number {
    let slot = this.freeHead;
    if (slot >= 0) {
      this.freeHead = this.f64[slot * F64_FIELDS + SEQ]!;
      return slot;
    }
    if (this.end === this.capacity) this.resize(Math.ceil(this.capacity * 1.25));
    slot = this.end++;
    this.f64[slot * F64_FIELDS + LOCATION] = FREE;
    return slot;
  }

  /**
   * Stores an entry in `slot`, replacing what it held: the key `key[0, keyLength)` with its table
   * hash, the value `value[start, end)`, and the entry's digest hash.
   */
  write(
    slot: number,
    key: Uint8Array,
    keyLength: number,
    keyHash: number,
    value: Uint8Array,
    start: number,
    end: number,
    seq: number,
    expiresAt: number,
    digestLow: number,
    digestHigh: number,
  ): void {
    const f = slot * F64_FIELDS;
    const u = slot * U32_FIELDS;
    const valueLength = end - start;
    const location = this.arena.allocate(varintLength(keyLength) + keyLength + valueLength);
    const chunk = this.arena.chunkBuffer(location);
    const keyStart = writeVarint(chunk, this.arena.offsetOf(location), keyLength);
    copyBytes(key, 0, keyLength, chunk, keyStart);
    copyBytes(value, start, end, chunk, keyStart + keyLength);
    // The old bytes go only once the new ones are in, so a failed allocation leaves the entry whole.
    const old = this.f64[f + LOCATION]!;
    if (old !== FREE) this.arena.free(old, this.recordLength(slot));
    this.f64[f + SEQ] = seq;
    this.f64[f + LOCATION] = location;
    this.u32[u + VALUE_LENGTH] = valueLength;
    this.u32[u + KEY_HASH] = keyHash;
    this.u32[u + DIGEST_LOW] = digestLow;
    this.u32[u + DIGEST_HIGH] = digestHigh;
    if (expiresAt !== 0 || this.expiries) {
      this.expiries ??= new Float64Array(this.capacity);
      this.expiries[slot] = expiresAt;
    }
    this.compactIfNeeded();
  }

  /** Frees a live slot and its bytes. */
  release(slot: number): void {
    const f = slot * F64_FIELDS;
    this.arena.free(this.f64[f + LOCATION]!, this.recordLength(slot));
    this.f64[f + LOCATION] = FREE;
    this.f64[f + SEQ] = this.freeHead;
    this.freeHead = slot;
    this.compactIfNeeded();
  }

  isLive(slot: number): boolean {
    return this.f64[slot * F64_FIELDS + LOCATION] !== FREE;
  }

  seqOf(slot: number): number {
    return this.f64[slot * F64_FIELDS + SEQ]!;
  }

  expiryOf(slot: number): number {
    return this.expiries === undefined ? 0 : this.expiries[slot]!;
  }

  /** A new expiry for a live entry, with the seq of the write that set it; its value stays. */
  setExpiry(slot: number, seq: number, expiresAt: number): void {
    this.f64[slot * F64_FIELDS + SEQ] = seq;
    if (expiresAt === 0 && this.expiries === undefined) return;
    this.expiries ??= new Float64Array(this.capacity);
    this.expiries[slot] = expiresAt;
  }

  keyHash(slot: number): number {
    return this.u32[slot * U32_FIELDS + KEY_HASH]!;
  }

  digestLow(slot: number): number {
    return this.u32[slot * U32_FIELDS + DIGEST_LOW]!;
  }

  digestHigh(slot: number): number {
    return this.u32[slot * U32_FIELDS + DIGEST_HIGH]!;
  }

  keyEquals(slot: number, bytes: Uint8Array, length: number): boolean {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    const chunk = this.arena.chunkBuffer(location);
    const offset = this.arena.offsetOf(location);
    const first = chunk[offset]!;
    if (first < 0x80) {
      if (first !== length) return false;
    } else if (readVarint(chunk, offset) !== length) return false;
    const keyStart = offset + varintLength(length);
    if (length > 32) return chunk.compare(bytes, 0, length, keyStart, keyStart + length) === 0;
    for (let i = 0; i < length; i++) if (chunk[keyStart + i] !== bytes[i]) return false;
    return true;
  }

  /** Whether a live slot's key starts with the UTF-8 bytes `bytes[0, length)`. */
  keyStartsWith(slot: number, bytes: Uint8Array, length: number): boolean {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    const chunk = this.arena.chunkBuffer(location);
    const offset = this.arena.offsetOf(location);
    const keyLength = readVarint(chunk, offset);
    if (keyLength < length) return false;
    const keyStart = offset + varintLength(keyLength);
    for (let i = 0; i < length; i++) if (chunk[keyStart + i] !== bytes[i]) return false;
    return true;
  }

  /** A live slot's key and value bytes together. */
  entryBytes(slot: number): number {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    return readVarint(this.arena.chunkBuffer(location), this.arena.offsetOf(location)) + this.u32[slot * U32_FIELDS + VALUE_LENGTH]!;
  }

  /** A live slot's key, decoded from its UTF-8. */
  key(slot: number): string {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    const chunk = this.arena.chunkBuffer(location);
    const offset = this.arena.offsetOf(location);
    const keyLength = readVarint(chunk, offset);
    const keyStart = offset + varintLength(keyLength);
    return chunk.toString('utf8', keyStart, keyStart + keyLength);
  }

  /** A view of a live slot's value (not a copy; it stays valid after the slot changes). */
  value(slot: number): Buffer {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    const chunk = this.arena.chunkBuffer(location);
    const offset = this.arena.offsetOf(location);
    const keyLength = readVarint(chunk, offset);
    const valueStart = offset + varintLength(keyLength) + keyLength;
    return chunk.subarray(valueStart, valueStart + this.u32[slot * U32_FIELDS + VALUE_LENGTH]!);
  }

  /** Hands a live slot's entry to `visit`, the value without a copy. Answers its key and value bytes. */
  visit(slot: number, visit: SnapshotEntryVisitor): number {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    const chunk = this.arena.chunkBuffer(location);
    const offset = this.arena.offsetOf(location);
    const keyLength = readVarint(chunk, offset);
    const keyStart = offset + varintLength(keyLength);
    const valueStart = keyStart + keyLength;
    const valueLength = this.u32[slot * U32_FIELDS + VALUE_LENGTH]!;
    const key = chunk.toString('utf8', keyStart, valueStart);
    visit(key, chunk, valueStart, valueStart + valueLength, this.seqOf(slot), this.expiryOf(slot));
    return keyLength + valueLength;
  }

  /** Makes room for `slots` slots at once. */
  reserve(slots: number): void {
    if (slots > this.capacity) this.resize(slots);
  }

  clear(): void {
    this.arena.clear();
    this.expiries = undefined;
    this.end = 0;
    this.freeHead = -1;
    this.resize(INITIAL_SLOTS);
  }

  /** The bytes a live slot holds in the arena. */
  private recordLength(slot: number): number {
    const location = this.f64[slot * F64_FIELDS + LOCATION]!;
    const keyLength = readVarint(this.arena.chunkBuffer(location), this.arena.offsetOf(location));
    return varintLength(keyLength) + keyLength + this.u32[slot * U32_FIELDS + VALUE_LENGTH]!;
  }

  /** Moves the slots to arrays of `capacity`, keeping those under `end`. */
  private resize(capacity: number): void {
    const f64 = new Float64Array(capacity * F64_FIELDS);
    const u32 = new Uint32Array(f64.buffer);
    // Copied as u32, which carries any bit pattern, never as f64.
    u32.set(this.u32.subarray(0, this.end * U32_FIELDS));
    this.f64 = f64;
    this.u32 = u32;
    if (this.expiries) {
      const expiries = new Float64Array(capacity);
      expiries.set(this.expiries.subarray(0, this.end));
      this.expiries = expiries;
    }
    this.capacity = capacity;
  }

  /** Moves the live entries out of mostly-garbage chunks so those chunks can be released. */
  private compactIfNeeded(): void {
    const arena = this.arena;
    const garbage = arena.garbageBytes;
    if (garbage < this.compactMinGarbage || garbage * 2 < arena.allocatedBytes) return;
    const sparse = arena.sparseChunks(0.5);
    if (sparse.size === 0) return;
    for (let slot = 0; slot < this.end; slot++) {
      const location = this.f64[slot * F64_FIELDS + LOCATION]!;
      if (location === FREE || !sparse.has(arena.chunkOf(location))) continue;
      const length = this.recordLength(slot);
      const offset = arena.offsetOf(location);
      const moved = arena.store(arena.chunkBuffer(location), offset, offset + length);
      arena.free(location, length);
      this.f64[slot * F64_FIELDS + LOCATION] = moved;
    }
  }
}
