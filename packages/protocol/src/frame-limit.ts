import { decode, DecodeError } from './codec.js';
import type { Message } from './messages.js';

/**
 * The one answer to a frame over `maxFrameBytes`, or undefined when it is within the cap. Nothing in
 * it is acted on: when its op ids can be read (values are views, not copies) every op is refused in
 * one `reply`, so each call fails at once with the code; otherwise one `error` message.
 */
export function refuseLargeFrame(frame: Buffer, maxFrameBytes: number): Message | undefined {
  if (frame.length <= maxFrameBytes) return undefined;
  const message = `a frame of ${frame.length} bytes is over the ${maxFrameBytes}-byte limit; send fewer or smaller ops per request`;
  const code = 'ERR_FRAME_TOO_LARGE' as const;
  const opIds = requestOpIds(frame);
  if (opIds.length === 0) return { type: 'error', code, message };
  return { type: 'reply', replies: opIds.map((id) => ({ id, ok: false as const, code, message })) };
}

function requestOpIds(frame: Buffer): number[] {
  try {
    const decoded = decode(frame);
    return decoded.type === 'request' ? decoded.ops.map((op) => op.id) : [];
  } catch (error) {
    return error instanceof DecodeError ? error.opIds : [];
  }
}
