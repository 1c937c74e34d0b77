/**
 * MurmurHash3, x86 32-bit variant, over bytes. The ring and the digest use it, so placement is
 * the same in every process and in any language that implements the published algorithm.
 */
export function murmur3(bytes: Uint8Array, seed = 0, start = 0, end = bytes.length): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const length = end - start;
  const blocks = start + (length & ~3);
  let h = seed >>> 0;
  for (let i = start; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2]! << 16;
    if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

let scratch = Buffer.allocUnsafe(1024);

/** MurmurHash3 of a string's UTF-8 bytes. */
export function murmur3String(value: string, seed = 0): number {
  const length = value.length;
  if (length <= scratch.length) {
    // ASCII strings are their own UTF-8: copy the char codes instead of encoding.
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code > 0x7f) {
        ascii = false;
        break;
      }
      scratch[i] = code;
    }
    if (ascii) return murmur3(scratch, seed, 0, length);
  }
  if (length * 3 > scratch.length) scratch = Buffer.allocUnsafe(length * 3);
  const written = scratch.write(value, 0, 'utf8');
  return murmur3(scratch, seed, 0, written);
}
