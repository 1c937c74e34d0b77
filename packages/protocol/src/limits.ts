/** Size limits every process enforces on what it accepts. */
export interface Limits {
  /** Largest key, in bytes of UTF-8. Default 64 KiB. */
  maxKeyBytes: number;
  /** Largest value, in bytes. Default 16 MiB. */
  maxValueBytes: number;
  /** Most ops in one request frame. Default 100,000. */
  maxBatchOps: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxKeyBytes: 64 * 1024,
  maxValueBytes: 16 * 1024 * 1024,
  maxBatchOps: 100_000,
};
