/** Keys up to this many chars are tried as ASCII by hand; longer ones go to the native encoder. */
const HAND_ENCODE_MAX = 128;

/**
 * Encodes keys as UTF-8 into one reused buffer, so a lookup allocates nothing. An ASCII key is
 * its own UTF-8, so a short one is copied char by char instead of going through the encoder.
 *
 * A key is its UTF-8 bytes, as on the wire: a string with a lone surrogate (which the wire cannot
 * carry) encodes as U+FFFD like any other.
 */
export class KeyEncoder {
  /** The last key's bytes are `bytes[0, length)`; the buffer is replaced when a key does not fit. */
  bytes: Buffer = Buffer.allocUnsafe(256);

  /** Encodes `key` into `bytes` and answers its length in bytes. */
  encode(key: string): number {
    const length = key.length;
    if (length <= HAND_ENCODE_MAX) {
      const bytes = this.bytes;
      let i = 0;
      for (; i < length; i++) {
        const code = key.charCodeAt(i);
        if (code > 0x7f) break;
        bytes[i] = code;
      }
      if (i === length) return length;
    }
    // A UTF-16 code unit is at most 3 bytes of UTF-8.
    if (length * 3 > this.bytes.length) this.bytes = Buffer.allocUnsafe(length * 3);
    return this.bytes.write(key, 0, 'utf8');
  }
}
