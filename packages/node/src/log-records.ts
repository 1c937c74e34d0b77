import { crc32 } from 'node:zlib';
import { FrameReader, FrameWriter, type WriteKind } from '@brainer/protocol';
import type { RecentWrites } from './recent-writes.js';
import type { StreamPosition } from './storage-engine.js';

/**
 * The data log is a header, then records one after another. A record is a u32 body length, the
 * CRC-32 of the body, then the body: a type byte and its fields, little-endian, in the protocol's
 * encodings (counts as f64, strings and bytes with a u32 length). The checksum is what tells a
 * record torn by a crash, or damaged on disk, from a good one.
 */
export const RECORD_HEADER_BYTES = 8;

const TYPES = { set: 1, del: 2, load: 3, position: 4, origin: 5, expire: 6, flush: 7 } as const;
// An origin's flags: its kind (no kind bit: a del), and whether it found its key.
const ORIGIN_SET = 1;
const ORIGIN_REMOVED = 2;
const ORIGIN_EXPIRE = 4;
const ORIGIN_FLUSH = 8;

const ORIGIN_KIND_FLAGS: Record<WriteKind, number> = { set: ORIGIN_SET, del: 0, expire: ORIGIN_EXPIRE, flush: ORIGIN_FLUSH };

/** One record, as the log replays it. Values are views into the read buffer. */
export type LogRecord =
  | { type: 'set'; seq: number; key: string; value: Buffer; expiresAt: number }
  | { type: 'del'; seq: number; key: string }
  | { type: 'expire'; seq: number; key: string; expiresAt: number }
  | { type: 'flush'; seq: number }
  | { type: 'load'; key: string; value: Buffer; seq: number; expiresAt: number }
  | { type: 'position'; position: StreamPosition }
  /** Who sent the write just before it, and what it answered: for a new broker's retry deduplication. */
  | { type: 'origin'; client: string; opId: number; kind: WriteKind; removed: boolean };

/** Appends records to one growing buffer, which the log engine writes out in one call. */
export class RecordWriter {
  private readonly writer: FrameWriter;

  constructor(initialBytes = 64 * 1024) {
    this.writer = new FrameWriter(initialBytes);
  }

  /** Bytes held. */
  get length(): number {
    return this.writer.position;
  }

  /** The records held, as a view that the next record may overwrite. */
  get bytes(): Buffer {
    return this.writer.finish();
  }

  reset(): void {
    this.writer.reset();
  }

  set(seq: number, key: string, value: Uint8Array, start: number, end: number, expiresAt: number): void {
    const at = this.begin(TYPES.set);
    this.writer.f64(seq).string(key).bytes(value.subarray(start, end)).f64(expiresAt);
    this.end(at);
  }

  del(seq: number, key: string): void {
    const at = this.begin(TYPES.del);
    this.writer.f64(seq).string(key);
    this.end(at);
  }

  expire(seq: number, key: string, expiresAt: number): void {
    const at = this.begin(TYPES.expire);
    this.writer.f64(seq).string(key).f64(expiresAt);
    this.end(at);
  }

  flush(seq: number): void {
    const at = this.begin(TYPES.flush);
    this.writer.f64(seq);
    this.end(at);
  }

  load(key: string, value: Uint8Array, start: number, end: number, seq: number, expiresAt: number): void {
    const at = this.begin(TYPES.load);
    this.writer.string(key).bytes(value.subarray(start, end)).f64(seq).f64(expiresAt);
    this.end(at);
  }

  position(position: StreamPosition): void {
    const at = this.begin(TYPES.position);
    this.writer
      .f64(position.epoch)
      .f64(position.seq)
      .u8(position.whole ? 1 : 0);
    this.end(at);
  }

  origin(client: string, opId: number, kind: WriteKind, removed: boolean): void {
    const at = this.begin(TYPES.origin);
    this.writer
      .string(client)
      .u32(opId)
      .u8(ORIGIN_KIND_FLAGS[kind] | (removed ? ORIGIN_REMOVED : 0));
    this.end(at);
  }

  /** An `origin` record for each write `recent` remembers, oldest first. */
  recentWrites(recent: RecentWrites): void {
    recent.forEach((client, opId, kind, removed) => this.origin(client, opId, kind, removed));
  }

  /** Leaves room for the length and checksum, writes the type, and answers where the record starts. */
  private begin(type: number): number {
    const at = this.writer.position;
    this.writer.u32(0).u32(0).u8(type);
    return at;
  }

  private end(at: number): void {
    const body = this.writer.finish().subarray(at + RECORD_HEADER_BYTES);
    this.writer.patchU32(at, body.length);
    this.writer.patchU32(at + 4, crc32(body));
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
    case TYPES.expire:
      record = { type: 'expire', seq: r.count('seq'), key: r.string(), expiresAt: r.f64() };
      break;
    case TYPES.flush:
      record = { type: 'flush', seq: r.count('seq') };
      break;
    case TYPES.load:
      record = { type: 'load', key: r.string(), value: r.bytes(), seq: r.count('seq'), expiresAt: r.f64() };
      break;
    case TYPES.position:
      record = { type: 'position', position: { epoch: r.count('epoch'), seq: r.count('seq'), whole: r.u8() === 1 } };
      break;
    case TYPES.origin: {
      const client = r.string();
      const opId = r.u32();
      const flags = r.u8();
      const kind = flags & ORIGIN_SET ? 'set' : flags & ORIGIN_EXPIRE ? 'expire' : flags & ORIGIN_FLUSH ? 'flush' : 'del';
      record = { type: 'origin', client, opId, kind, removed: (flags & ORIGIN_REMOVED) !== 0 };
      break;
    }
    default:
      throw new Error(`unknown record type ${type}`);
  }
  r.end();
  return record;
}
