import { crc32 } from 'node:zlib';
import { FrameReader } from '@brainer/protocol';
import type { StreamPosition } from './storage-engine.js';

/**
 * The data log is a header, then records one after another. A record is a u32 body length, the
 * CRC-32 of the body, then the body: a type byte and its fields, little-endian, in the protocol's
 * encodings (counts as f64, strings and bytes with a u32 length). The checksum is what tells a
 * record torn by a crash, or damaged on disk, from a good one.
 */
export const RECORD_HEADER_BYTES = 8;

const TYPES = { set: 1, del: 2, load: 3, clear: 4, position: 5 } as const;

/** One record, as the log replays it. Values are views into the read buffer. */
export type LogRecord =
  | { type: 'set'; seq: number; key: string; value: Buffer; expiresAt: number }
  | { type: 'del'; seq: number; key: string }
  | { type: 'load'; key: string; value: Buffer; seq: number; expiresAt: number }
  | { type: 'clear' }
  | { type: 'position'; position: StreamPosition };

/** Appends records to one growing buffer, which the log engine writes out in one call. */
export class RecordWriter {
  private buffer: Buffer;
  private offset = 0;
  private recordAt = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes held. */
  get length(): number {
    return this.offset;
  }

  /** The records held, as a view that the next record may overwrite. */
  get bytes(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }

  reset(): void {
    this.offset = 0;
  }

  set(seq: number, key: string, value: Uint8Array, start: number, end: number, expiresAt: number): void {
    this.begin(TYPES.set, 13 + key.length * 3 + 4 + (end - start) + 8);
    this.f64(seq).string(key).range(value, start, end).f64(expiresAt);
    this.end();
  }

  del(seq: number, key: string): void {
    this.begin(TYPES.del, 13 + key.length * 3);
    this.f64(seq).string(key);
    this.end();
  }

  load(key: string, value: Uint8Array, start: number, end: number, seq: number, expiresAt: number): void {
    this.begin(TYPES.load, 5 + key.length * 3 + 4 + (end - start) + 16);
    this.string(key).range(value, start, end).f64(seq).f64(expiresAt);
    this.end();
  }

  clear(): void {
    this.begin(TYPES.clear, 1);
    this.end();
  }

  position(position: StreamPosition): void {
    this.begin(TYPES.position, 18);
    this.f64(position.epoch).f64(position.seq);
    this.buffer[this.offset++] = position.whole ? 1 : 0;
    this.end();
  }

  private begin(type: number, maxBodyBytes: number): void {
    this.reserve(RECORD_HEADER_BYTES + maxBodyBytes);
    this.recordAt = this.offset;
    this.offset += RECORD_HEADER_BYTES;
    this.buffer[this.offset++] = type;
  }

  private end(): void {
    const bodyAt = this.recordAt + RECORD_HEADER_BYTES;
    this.buffer.writeUInt32LE(this.offset - bodyAt, this.recordAt);
    this.buffer.writeUInt32LE(crc32(this.buffer.subarray(bodyAt, this.offset)), this.recordAt + 4);
  }

  private f64(value: number): this {
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
    return this;
  }

  private string(value: string): this {
    const written = this.buffer.write(value, this.offset + 4, 'utf8');
    this.buffer.writeUInt32LE(written, this.offset);
    this.offset += 4 + written;
    return this;
  }

  private range(value: Uint8Array, start: number, end: number): this {
    this.buffer.writeUInt32LE(end - start, this.offset);
    this.buffer.set(value.subarray(start, end), this.offset + 4);
    this.offset += 4 + end - start;
    return this;
  }

  private reserve(bytes: number): void {
    const needed = this.offset + bytes;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

/** What one look at `buffer[offset, end)` finds. */
export type RecordRead =
  | { kind: 'record'; record: LogRecord; bytes: number }
  /** The bytes end before the record does: read more, or, at the end of the file, a torn tail. */
  | { kind: 'short'; needed: number }
  | { kind: 'corrupt'; reason: string };

/** Reads the record at `offset`, checking its checksum and fields. */
export function readRecord(buffer: Buffer, offset: number, end: number): RecordRead {
  if (end - offset < RECORD_HEADER_BYTES) return { kind: 'short', needed: RECORD_HEADER_BYTES };
  const length = buffer.readUInt32LE(offset);
  const needed = RECORD_HEADER_BYTES + length;
  if (end - offset < needed) return { kind: 'short', needed };
  const body = buffer.subarray(offset + RECORD_HEADER_BYTES, offset + needed);
  if (crc32(body) !== buffer.readUInt32LE(offset + 4)) return { kind: 'corrupt', reason: 'checksum mismatch' };
  try {
    return { kind: 'record', record: readBody(new FrameReader(body)), bytes: needed };
  } catch (error) {
    return { kind: 'corrupt', reason: (error as Error).message };
  }
}

function readBody(r: FrameReader): LogRecord {
  const type = r.u8();
  let record: LogRecord;
  switch (type) {
    case TYPES.set:
      record = { type: 'set', seq: r.count('seq'), key: r.string(), value: r.bytes(), expiresAt: r.f64() };
      break;
    case TYPES.del:
      record = { type: 'del', seq: r.count('seq'), key: r.string() };
      break;
    case TYPES.load:
      record = { type: 'load', key: r.string(), value: r.bytes(), seq: r.count('seq'), expiresAt: r.f64() };
      break;
    case TYPES.clear:
      record = { type: 'clear' };
      break;
    case TYPES.position:
      record = { type: 'position', position: { epoch: r.count('epoch'), seq: r.count('seq'), whole: r.u8() === 1 } };
      break;
    default:
      throw new Error(`unknown record type ${type}`);
  }
  r.end();
  return record;
}
