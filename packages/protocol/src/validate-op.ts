import { compileGlob } from './glob.js';
import { bucketNameProblem, bucketPrefix } from './bucket-keys.js';
import type { Limits } from './limits.js';
import type { Op, Reply } from './messages.js';

/**
 * The checks every op from a client gets before it is served: an empty key, a key (or `keys`
 * pattern) or value over its size limit, a pattern that cannot compile. Answers the error reply,
 * or undefined when the op is fine.
 */
export function validateOp(op: Op, limits: Limits): Reply | undefined {
  const { maxKeyBytes, maxValueBytes } = limits;
  if (op.op === 'bucket') return validateBucket(op.id, op.bucket, maxKeyBytes);
  if (op.op === 'scan') return validateScan(op, maxKeyBytes);
  const key =
    op.op === 'get' || op.op === 'set' || op.op === 'del' || op.op === 'ttl' || op.op === 'expire'
      ? op.key
      : op.op === 'keys'
        ? op.pattern
        : undefined;
  if (key !== undefined) {
    if (key.length === 0 && op.op !== 'keys') return fail(op.id, 'ERR_BAD_KEY', 'keys must not be empty');
    const tooLarge = keyTooLarge(op.id, key, maxKeyBytes);
    if (tooLarge) return tooLarge;
  }
  if (op.op === 'keys') {
    const bad = badPattern(op.id, op.pattern);
    if (bad) return bad;
  }
  if (op.op === 'set' && op.value.length > maxValueBytes) {
    return fail(op.id, 'ERR_VALUE_TOO_LARGE', `value is ${op.value.length} bytes; the limit is ${maxValueBytes}`);
  }
  return undefined;
}

/** The most keys one `scan` answers. */
export const MAX_SCAN_COUNT = 100_000;

function validateScan(op: Extract<Op, { op: 'scan' }>, maxKeyBytes: number): Reply | undefined {
  if (!Number.isInteger(op.count) || op.count < 1 || op.count > MAX_SCAN_COUNT) {
    return fail(op.id, 'ERR_BAD_REQUEST', `a scan's count must be 1 to ${MAX_SCAN_COUNT}, got ${op.count}`);
  }
  return keyTooLarge(op.id, op.pattern, maxKeyBytes) ?? keyTooLarge(op.id, op.after, maxKeyBytes) ?? badPattern(op.id, op.pattern);
}

function keyTooLarge(id: number, key: string, maxKeyBytes: number): Reply | undefined {
  if (key.length <= maxKeyBytes / 3 || Buffer.byteLength(key) <= maxKeyBytes) return undefined;
  return fail(id, 'ERR_KEY_TOO_LARGE', `key is ${Buffer.byteLength(key)} bytes; the limit is ${maxKeyBytes}`);
}

function badPattern(id: number, pattern: string): Reply | undefined {
  try {
    compileGlob(pattern);
    return undefined;
  } catch (error) {
    return fail(id, 'ERR_BAD_PATTERN', (error as Error).message);
  }
}

function validateBucket(id: number, bucket: string, maxKeyBytes: number): Reply | undefined {
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) return fail(id, 'ERR_BAD_KEY', problem);
  const bytes = Buffer.byteLength(bucketPrefix(bucket));
  if (bytes > maxKeyBytes) return fail(id, 'ERR_KEY_TOO_LARGE', `bucket prefix is ${bytes} bytes; the limit is ${maxKeyBytes}`);
  return undefined;
}

/** Every op of a request over the batch limit gets ERR_BATCH_TOO_LARGE, and none is served; else undefined. */
export function batchTooLarge(ops: readonly Op[], limits: Limits): Reply[] | undefined {
  if (ops.length <= limits.maxBatchOps) return undefined;
  const message = `a request may hold at most ${limits.maxBatchOps} ops`;
  return ops.map((op) => fail(op.id, 'ERR_BATCH_TOO_LARGE', message));
}

function fail(
  id: number,
  code: 'ERR_BAD_KEY' | 'ERR_KEY_TOO_LARGE' | 'ERR_BAD_PATTERN' | 'ERR_VALUE_TOO_LARGE' | 'ERR_BATCH_TOO_LARGE' | 'ERR_BAD_REQUEST',
  message: string,
): Reply {
  return { id, ok: false, code, message };
}
