import { decode, DecodeError } from './codec.js';
import { BrainerError } from './errors.js';
import type { Message } from './messages.js';

/**
 * Decodes a received message, which must be one frame. Throws a `DecodeError`: `ERR_MALFORMED` for
 * any other number of frames, else what `decode` found (with the op ids it read before failing).
 */
export function decodeFrames(frames: readonly Buffer[]): Message {
  if (frames.length !== 1) throw new DecodeError(new BrainerError('ERR_MALFORMED', `expected 1 frame, got ${frames.length}`));
  return decode(frames[0]!);
}

/**
 * The answer to a message that could not be decoded (PROTOCOL.md 4.2): an error reply for every op
 * id read before the failure, in one `reply`, or else one `error` message.
 */
export function badFrameAnswer(error: DecodeError): Message {
  const { code, message, opIds } = error;
  if (opIds.length === 0) return { type: 'error', code, message };
  return { type: 'reply', replies: opIds.map((id) => ({ id, ok: false as const, code, message })) };
}
