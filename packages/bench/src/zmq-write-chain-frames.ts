/**
 * The frames of the raw ZeroMQ write chain. Every frame sent to its broker starts with a kind byte;
 * the broker's frames to a node start with the write's sequence number.
 */
export const REGISTER = 1;
export const ACK = 2;
export const REQUEST = 3;

const SEQ_BYTES = 4;

/** What a node sends once, so that the broker sends it every write. */
export const REGISTER_FRAME = Buffer.of(REGISTER);
/** The broker's answer to a client once every node has acked its write. */
export const REPLY_FRAME = Buffer.of(0);

/** A client's write: the kind byte, the key, the value (about what a Brainer set frame carries). */
export function requestFrame(key: string, value: Buffer): Buffer {
  return Buffer.concat([Buffer.of(REQUEST), Buffer.from(key), value]);
}

/** What the broker sends every node for a request: the sequence number, then the key and value. */
export function writeFrame(seq: number, request: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(SEQ_BYTES + request.length - 1);
  frame.writeUInt32BE(seq, 0);
  request.copy(frame, SEQ_BYTES, 1);
  return frame;
}

/** A node's ack of a write frame: the kind byte and the write's sequence number. */
export function ackFrame(write: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(1 + SEQ_BYTES);
  frame[0] = ACK;
  write.copy(frame, 1, 0, SEQ_BYTES);
  return frame;
}

/** The sequence number an ack frame acknowledges. */
export const ackedSeq = (ack: Buffer): number => ack.readUInt32BE(1);
