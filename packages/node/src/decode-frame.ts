import { badFrameAnswer, decodeFrames, DecodeError, encode, refuseLargeFrame, type Message, type RateLimitedLog } from '@brainer/protocol';

/**
 * Decodes a message, which must be one frame. A frame that cannot be decoded is logged
 * (rate-limited) and, when `answer` is given (a peer on the node's own endpoint), answered as
 * PROTOCOL.md 4.2 says (protocol's `badFrameAnswer`).
 */
export function decodeFrame(
  frames: Buffer[],
  from: string,
  badInput: RateLimitedLog,
  answer?: (frame: Buffer) => void,
  maxFrameBytes = Infinity,
): Message | undefined {
  const refusal = frames.length === 1 ? refuseLargeFrame(frames[0]!, maxFrameBytes) : undefined;
  if (refusal) {
    badInput.warn(`frame-size-${from}`, 'refused a frame over the size limit', { from, bytes: frames[0]!.length, limit: maxFrameBytes });
    answer?.(encode(refusal));
    return undefined;
  }
  try {
    return decodeFrames(frames);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    badInput.warn(`decode-${from}`, 'rejected a frame', { from, code: error.code, reason: error.message });
    answer?.(encode(badFrameAnswer(error)));
    return undefined;
  }
}
