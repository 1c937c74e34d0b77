/** Size limits every process enforces on what it accepts. */
export interface Limits {
  /** Largest key, in bytes of UTF-8. Default 64 KiB. */
  maxKeyBytes: number;
  /** Largest value, in bytes. Default 16 MiB. */
  maxValueBytes: number;
  /** Most ops in one request frame. Default 100,000. */
  maxBatchOps: number;
  /**
   * Largest request frame accepted from a client, in bytes; a bigger one is refused, unread, with
   * ERR_FRAME_TOO_LARGE. Default 64 MiB.
   */
  maxFrameBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxKeyBytes: 64 * 1024,
  maxValueBytes: 16 * 1024 * 1024,
  maxBatchOps: 100_000,
  maxFrameBytes: 64 * 1024 * 1024,
};

/**
 * The ZeroMQ `maxMessageSize` for a socket that enforces `maxFrameBytes`. ZeroMQ drops a peer that
 * sends more without a word, so it is set well above the cap: a frame between the two gets a coded
 * refusal from Brainer, and only a grossly oversized one costs the connection.
 */
export function socketMaxMessageSize(maxFrameBytes: number): number {
  return Math.min(2 * maxFrameBytes + 1024 * 1024, 2 ** 31 - 1);
}
