import { malformed } from './frame-reader.js';
import { MESSAGE_TYPES, PROTOCOL_VERSION } from './op-codes.js';

/** Where the fields of a `writes` frame sit: version, type, epoch f64, firstSeq f64, sentAt f64, count u32, then the writes. */
const EPOCH_AT = 2;
const FIRST_SEQ_AT = 10;
const SENT_AT = 18;
const COUNT_AT = 26;
const WRITES_AT = 30;

/** The header fields of an encoded `writes` frame. */
export interface WritesFrameHeader {
  epoch: number;
  firstSeq: number;
  sentAt: number;
  count: number;
}

/** Reads the header of an encoded `writes` frame without decoding its writes. */
export function readWritesHeader(frame: Buffer): WritesFrameHeader {
  if (frame.length < WRITES_AT || frame[0] !== PROTOCOL_VERSION || frame[1] !== MESSAGE_TYPES.writes) {
    throw malformed('not a writes frame');
  }
  return {
    epoch: frame.readDoubleLE(EPOCH_AT),
    firstSeq: frame.readDoubleLE(FIRST_SEQ_AT),
    sentAt: frame.readDoubleLE(SENT_AT),
    count: frame.readUInt32LE(COUNT_AT),
  };
}

/**
 * Joins encoded `writes` frames of one epoch, each following on from the one before, into one new
 * frame sent at `sentAt`, byte for byte: a `writes` body is its writes laid end to end, so the
 * joined frame is the first header with the summed count, then every frame's writes. No write is
 * decoded. The frames' expiries must be on the clock that `sentAt` reads, as the broker's are:
 * sent again later, they then carry the time they have left by then.
 */
export function joinWritesFrames(frames: readonly Buffer[], sentAt: number): Buffer {
  if (frames.length === 0) throw malformed('no writes frames to join');
  const first = readWritesHeader(frames[0]!);
  let count = 0;
  let bytes = WRITES_AT;
  for (const frame of frames) {
    const header = readWritesHeader(frame);
    if (header.epoch !== first.epoch) throw malformed(`writes of epoch ${header.epoch} after epoch ${first.epoch}`);
    if (header.firstSeq !== first.firstSeq + count)
      throw malformed(`writes from seq ${header.firstSeq} after seq ${first.firstSeq + count - 1}`);
    count += header.count;
    bytes += frame.length - WRITES_AT;
  }
  const joined = Buffer.allocUnsafe(bytes);
  frames[0]!.copy(joined, 0, 0, WRITES_AT);
  joined.writeDoubleLE(sentAt, SENT_AT);
  joined.writeUInt32LE(count, COUNT_AT);
  let at = WRITES_AT;
  for (const frame of frames) at += frame.copy(joined, at, WRITES_AT);
  return joined;
}
