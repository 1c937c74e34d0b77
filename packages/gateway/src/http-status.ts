import type { ErrorCode } from '@brainer/protocol';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_NOT_FOUND: 404,
  ERR_BAD_KEY: 400,
  ERR_BAD_VALUE: 400,
  ERR_BAD_REQUEST: 400,
  ERR_MALFORMED: 400,
  ERR_UNKNOWN_OP: 400,
  ERR_BAD_PATTERN: 400,
  ERR_TOO_MANY_KEYS: 400,
  ERR_VALUE_TOO_LARGE: 413,
  ERR_BATCH_TOO_LARGE: 413,
  ERR_FRAME_TOO_LARGE: 413,
  ERR_REPLY_TOO_LARGE: 413,
  ERR_KEY_TOO_LARGE: 414,
  ERR_NO_NODES: 503,
  ERR_NOT_READY: 503,
  ERR_NO_LEASE: 503,
  ERR_BACKPRESSURE: 503,
  ERR_CLOSED: 503,
  ERR_NOT_CONNECTED: 503,
  ERR_UNREACHABLE: 503,
  // Only when every broker given is a standby that knows no leader: one is about to be elected.
  ERR_NOT_LEADER: 503,
  ERR_TIMEOUT: 504,
  ERR_OOM: 507,
};

/** The HTTP status that answers an error code: 500 for any code not listed. */
export function httpStatusFor(code: string): number {
  return STATUS[code as ErrorCode] ?? 500;
}
