const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Mixes one 4-byte block `k` into the running hash `h`. */
function mixBlock(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** The last `tail` (1 to 3) bytes, from `at`, as a block. */
function tailBlock(bytes: Uint8Array, at: number, tail: number): number {
  let k = 0;
  if (tail === 3) k ^= bytes[at + 2]! << 16;
  if (tail >= 2) k ^= bytes[at + 1]! << 8;
  return k ^ bytes[at]!;
}

/** The final avalanche, after `length` bytes. */
function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3, x86 32-bit variant, over bytes. The ring and the digest use it, so placement is
 * the same in every process and in any language that implements the published algorithm.
 */
export function murmur3(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  const length = end - start;
  const blocks = start + (length & ~3);
  let h = seed >>> 0;
  for (let i = start; i < blocks; i += 4) {
    h = mixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  if ((length & 3) > 0) h ^= mixK(tailBlock(bytes, blocks, length & 3));
  return finish(h, length);
}

/**
 * `[murmur3(bytes, seedA, ...), murmur3(bytes, seedB, ...)]` in one pass: each block is read and
 * mixed once for both, so a big value costs about half as much as hashing it twice.
 */
export function murmur3Lanes(bytes: Uint8Array, seedA: number, seedB: number, start = 0, end = bytes.length): [a: number, b: number] {
  const length = end - start;
  const blocks = start + (length & ~3);
  let a = seedA >>> 0;
  let b = seedB >>> 0;
  for (let i = start; i < blocks; i += 4) {
    const k = mixK(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= k;
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  if ((length & 3) > 0) {
    const k = mixK(tailBlock(bytes, blocks, length & 3));
    a ^= k;
    b ^= k;
  }
  return [finish(a, length), finish(b, length)];
}

/**
 * MurmurHash3 of the 8 bytes `a` then `b`, each a u32 little-endian, without building them:
 * rendezvous hashing scores a key against a node with it.
 */
export function murmur3Pair(a: number, b: number, seed = 0): number {
  return finish(mixBlock(mixBlock(seed >>> 0, a | 0), b | 0), 8);
}

let scratch = Buffer.allocUnsafe(1024);

/** MurmurHash3 of the UTF-8 bytes of `value`, or of its part `value.slice(start, end)`. */
export function murmur3String(value: string, seed = 0, start = 0, end = value.length): number {
  const length = end - start;
  if (length <= scratch.length) {
    // ASCII strings are their own UTF-8: copy the char codes instead of encoding.
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(start + i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      scratch[i] = code;
    }
    if (ascii) return murmur3(scratch, seed, 0, length);
  }
  if (length * 3 > scratch.length) scratch = Buffer.allocUnsafe(length * 3);
  const part = start === 0 && end === value.length ? value : value.slice(start, end);
  const written = scratch.write(part, 0, 'utf8');
  return murmur3(scratch, seed, 0, written);
}
