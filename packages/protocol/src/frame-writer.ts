/** Appends little-endian fields to a growing buffer. */
export class FrameWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialBytes = 256) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.offset++] = value;
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.offset);
    this.offset += 4;
    return this;
  }

  f64(value: number): this {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
    return this;
  }

  /** A u32 byte length, then the UTF-8 bytes. */
  string(value: string): this {
    this.reserve(4 + value.length * 3);
    const written = this.buffer.write(value, this.offset + 4, 'utf8');
    this.buffer.writeUInt32LE(written, this.offset);
    this.offset += 4 + written;
    return this;
  }

  /** A u32 length, then the bytes. */
  bytes(value: Uint8Array): this {
    this.reserve(4 + value.length);
    this.buffer.writeUInt32LE(value.length, this.offset);
    this.buffer.set(value, this.offset + 4);
    this.offset += 4 + value.length;
    return this;
  }

  /** A u32 length, then `source[start, end)`. */
  bytesRange(source: Buffer, start: number, end: number): this {
    const length = end - start;
    this.reserve(4 + length);
    this.buffer.writeUInt32LE(length, this.offset);
    source.copy(this.buffer, this.offset + 4, start, end);
    this.offset += 4 + length;
    return this;
  }

  get position(): number {
    return this.offset;
  }

  /** Overwrites a u32 written earlier, such as a count known only at the end. */
  patchU32(at: number, value: number): void {
    this.buffer.writeUInt32LE(value, at);
  }

  /** Starts again from empty, keeping the buffer. */
  reset(): void {
    this.offset = 0;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  private reserve(bytes: number): void {
    const needed = this.offset + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}
