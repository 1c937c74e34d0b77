/** Every error code Brainer sends on the wire or raises locally. */
export const ERROR_CODES = [
  'ERR_TIMEOUT',
  'ERR_NO_NODES',
  'ERR_KEY_TOO_LARGE',
  'ERR_VALUE_TOO_LARGE',
  'ERR_BATCH_TOO_LARGE',
  'ERR_FRAME_TOO_LARGE',
  'ERR_REPLY_TOO_LARGE',
  'ERR_BAD_KEY',
  'ERR_BAD_VALUE',
  'ERR_BAD_REQUEST',
  'ERR_BAD_PATTERN',
  'ERR_MALFORMED',
  'ERR_BAD_VERSION',
  'ERR_UNKNOWN_OP',
  'ERR_UNKNOWN_MESSAGE',
  'ERR_WRONG_ROLE',
  'ERR_UNKNOWN_NODE',
  'ERR_NOT_READY',
  'ERR_NO_LEASE',
  'ERR_CLOSED',
  'ERR_NOT_CONNECTED',
  'ERR_UNREACHABLE',
  'ERR_BACKPRESSURE',
  'ERR_INVALID_OPTION',
  'ERR_INTERNAL',
  'ERR_NOT_FOUND',
  'ERR_TOO_MANY_KEYS',
  'ERR_OOM',
  'ERR_DATA_AHEAD',
  'ERR_DATA_LOST',
  'ERR_STORAGE',
  'ERR_UNSAFE_ENDPOINT',
  'ERR_ENDPOINT_ACCESS',
  'ERR_ENDPOINT_DIR_MISSING',
  'ERR_NODE_ID_TAKEN',
  'ERR_NOT_LEADER',
  'ERR_STALE_EPOCH',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: string): value is ErrorCode {
  return KNOWN_CODES.has(value);
}

/** The one error type Brainer raises. `code` says what went wrong. */
export class BrainerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrainerError';
    this.code = code;
  }
}

/** A request that did not get its answer in time. */
export class TimeoutError extends BrainerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/** An error answered by a broker or node, as opposed to a local failure. */
export class RemoteError extends BrainerError {
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RemoteError';
  }
}

/** A constructor option that is missing or out of range. */
export class InvalidOptionError extends BrainerError {
  constructor(field: string, reason: string) {
    super('ERR_INVALID_OPTION', `option "${field}" ${reason}`);
    this.name = 'InvalidOptionError';
  }
}
