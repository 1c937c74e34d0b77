import { BrainerError } from './errors.js';
import { DecodeError } from './codec.js';
import { expiryOnLocalClock } from './expiry-clock.js';
import { FrameReader, malformed } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { MESSAGE_TYPES, PROTOCOL_VERSION } from './op-codes.js';

/** Receives one snapshot entry whose value is `bytes[start, end)`, without a copy. */
export type SnapshotEntryVisitor = (key: string, bytes: Buffer, start: number, end: number, seq: number, expiresAt: number) => void;

/**
 * Builds a `snapshot-chunk` frame entry by entry, straight from wherever the values live. It
 * encodes exactly what `encode` does for a snapshot-chunk message, without an object per entry:
 * snapshots are the bulk path, and this keeps them fast.
 */
export class SnapshotChunkWriter {
  private readonly writer: FrameWriter;
  private readonly countAt: number;
  private count = 0;

  /** `sentAt` is the source's clock now, the clock of the `expiresAt` of the entries added. */
  constructor(joinId: number, sentAt: number, sizeHint = 256 * 1024) {
    this.writer = new FrameWriter(sizeHint);
    this.writer.u8(PROTOCOL_VERSION).u8(MESSAGE_TYPES['snapshot-chunk']).u32(joinId).f64(sentAt);
    this.countAt = this.writer.position;
    this.writer.u32(0);
  }

  get entries(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.writer.position;
  }

  add(key: string, bytes: Buffer, start: number, end: number, seq: number, expiresAt: number): void {
    this.writer.string(key).bytesRange(bytes, start, end).f64(seq).f64(expiresAt);
    this.count++;
  }

  finish(): Buffer {
    this.writer.patchU32(this.countAt, this.count);
    return this.writer.finish();
  }
}

/**
 * Reads a `snapshot-chunk` frame entry by entry, with the same checks as `decode`, handing each
 * value to `visit` as a range of the frame, and its expiry on the reader's clock, whose reading is
 * `now`. `acceptJoin` may turn down the chunk by its join id before any entry is visited. Throws a
 * DecodeError on anything malformed, after visiting the entries before it.
 */
export function readSnapshotChunk(
  frame: Buffer,
  now: number,
  visit: SnapshotEntryVisitor,
  acceptJoin: (joinId: number) => boolean = () => true,
): { joinId: number; count: number } {
  try {
    const r = new FrameReader(frame);
    if (frame.length < 2) throw malformed('frame is shorter than its header');
    const version = r.u8();
    if (version !== PROTOCOL_VERSION) throw new BrainerError('ERR_BAD_VERSION', `protocol version ${version} is not supported`);
    if (r.u8() !== MESSAGE_TYPES['snapshot-chunk']) throw malformed('not a snapshot-chunk frame');
    const joinId = r.u32();
    const sentAt = r.finite('sentAt');
    const count = r.length(24);
    if (!acceptJoin(joinId)) return { joinId, count: 0 };
    for (let i = 0; i < count; i++) {
      const key = r.string();
      const start = r.bytesSpan();
      const end = r.position;
      const seq = r.count('seq');
      visit(key, frame, start, end, seq, expiryOnLocalClock(r.finite('expiresAt'), sentAt, now));
    }
    r.end();
    return { joinId, count };
  } catch (error) {
    if (error instanceof BrainerError) throw new DecodeError(error);
    throw error;
  }
}

/** Whether a frame is a snapshot chunk, by its header alone. */
export function isSnapshotChunk(frame: Buffer): boolean {
  return frame.length >= 2 && frame[0] === PROTOCOL_VERSION && frame[1] === MESSAGE_TYPES['snapshot-chunk'];
}
