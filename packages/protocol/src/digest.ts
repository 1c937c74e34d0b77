import { murmur3Lanes, murmur3String } from './murmur3.js';

/** The seed of an entry's key hash; exported for engines that hash a key once for several uses. */
export const ENTRY_KEY_SEED = 0x9747b28c;
/** XORed into the key hash to seed the value's high-lane hash. */
export const ENTRY_HIGH_LANE_SALT = 0x5bd1e995;
const KEY_SEED = ENTRY_KEY_SEED;
const HIGH_LANE_SALT = ENTRY_HIGH_LANE_SALT;

/**
 * A 64-bit hash of one key and value, as two 32-bit halves: the key's hash seeds two hashes of the
 * value, so the key is hashed once.
 */
export function entryHash(key: string, value: Uint8Array, start = 0, end = value.length): [low: number, high: number] {
  const keyHash = murmur3String(key, KEY_SEED);
  return murmur3Lanes(value, keyHash, (keyHash ^ HIGH_LANE_SALT) >>> 0, start, end);
}

/**
 * An order-independent digest of a whole key/value map: the sum, modulo 2^64, of every entry's
 * hash. Adding and removing entries keeps it current in O(1), and equal content gives an equal
 * digest however it was built.
 */
export class ContentDigest {
  private low = 0;
  private high = 0;

  add(key: string, value: Uint8Array): void {
    const [low, high] = entryHash(key, value);
    this.addHash(low, high);
  }

  remove(key: string, value: Uint8Array): void {
    const [low, high] = entryHash(key, value);
    this.removeHash(low, high);
  }

  /** Adds an entry by its `entryHash`, for callers that keep the hash to remove it later. */
  addHash(low: number, high: number): void {
    const sum = this.low + low;
    this.low = sum >>> 0;
    this.high = (this.high + high + (sum > 0xffffffff ? 1 : 0)) >>> 0;
  }

  removeHash(low: number, high: number): void {
    const diff = this.low - low;
    this.low = diff >>> 0;
    this.high = (this.high - high - (diff < 0 ? 1 : 0)) >>> 0;
  }

  clear(): void {
    this.low = 0;
    this.high = 0;
  }

  /** 16 hex digits. The empty map's digest is all zeros. */
  toString(): string {
    return this.high.toString(16).padStart(8, '0') + this.low.toString(16).padStart(8, '0');
  }
}
