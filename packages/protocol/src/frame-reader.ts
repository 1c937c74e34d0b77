import { isUtf8 } from 'node:buffer';
import { BrainerError } from './errors.js';

/** Reads little-endian fields from a frame, rejecting anything that runs past its end. */
export class FrameReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.buffer[this.offset++]!;
  }

  u32(): number {
    this.need(4);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  /** An f64 that must be a finite number (a clock reading or a time on it). */
  finite(field: string): number {
    const value = this.f64();
    if (!Number.isFinite(value)) throw malformed(`${field} is not a finite number`);
    return value;
  }

  /** A non-negative integer stored as f64 (seq, epoch, counts). */
  count(field: string): number {
    const value = this.f64();
    if (!Number.isSafeInteger(value) || value < 0) throw malformed(`${field} is not a non-negative integer`);
    return value;
  }

  string(): string {
    return this.utf8('ERR_MALFORMED', 'string');
  }

  /** A key or pattern: invalid UTF-8 here is the client's error, ERR_BAD_KEY. */
  key(): string {
    return this.utf8('ERR_BAD_KEY', 'key');
  }

  private utf8(code: 'ERR_MALFORMED' | 'ERR_BAD_KEY', what: string): string {
    const length = this.u32();
    this.need(length);
    const bytes = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    if (!isAscii(bytes) && !isUtf8(bytes)) throw new BrainerError(code, `${what} is not valid UTF-8`);
    return bytes.toString('utf8');
  }

  /** A view into the frame, not a copy: callers that keep it should copy it. */
  bytes(): Buffer {
    const length = this.u32();
    this.need(length);
    const bytes = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return bytes;
  }

  /** Skips a u32-length byte field and returns where its bytes start; `position` is then its end. */
  bytesSpan(): number {
    const length = this.u32();
    this.need(length);
    const start = this.offset;
    this.offset += length;
    return start;
  }

  get position(): number {
    return this.offset;
  }

  /** Reads an element count and checks that the frame can hold that many of at least `minBytes` each. */
  length(minBytes: number): number {
    const count = this.u32();
    if (count * minBytes > this.remaining) throw malformed(`count ${count} exceeds the frame`);
    return count;
  }

  end(): void {
    if (this.remaining !== 0) throw malformed(`${this.remaining} trailing bytes`);
  }

  private need(bytes: number): void {
    if (this.offset + bytes > this.buffer.length) throw malformed('frame is truncated');
  }
}

function isAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

export function malformed(message: string): BrainerError {
  return new BrainerError('ERR_MALFORMED', message);
}
