import { decode, encode, refuseLargeFrame, type ErrorCode, type Message, type RateLimitedLog } from '@brainer/protocol';

/**
 * Decodes a message, which must be one frame. A frame that cannot be decoded is logged
 * (rate-limited) and, when `answer` is given (a peer on the node's own endpoint), answered as
 * PROTOCOL.md 4.2 says: an error reply for every op id read before the failure, else an `error`.
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
    if (frames.length !== 1) throw Object.assign(new Error(`expected 1 frame, got ${frames.length}`), { code: 'ERR_MALFORMED' });
    return decode(frames[0]!);
  } catch (error) {
    const code = ((error as { code?: string }).code ?? 'ERR_MALFORMED') as ErrorCode;
    const message = (error as Error).message;
    badInput.warn(`decode-${from}`, 'rejected a frame', { from, code, reason: message });
    if (answer) {
      const opIds = (error as { opIds?: number[] }).opIds ?? [];
      const reply: Message =
        opIds.length > 0
          ? { type: 'reply', replies: opIds.map((id) => ({ id, ok: false as const, code, message })) }
          : { type: 'error', code, message };
      answer(encode(reply));
    }
    return undefined;
  }
}
