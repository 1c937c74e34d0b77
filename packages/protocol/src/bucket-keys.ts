import { BrainerError } from './errors.js';

/**
 * Buckets: the items of bucket B are the keys `{B}item`. The `{B}` is a hash tag, so every item
 * of a bucket has the bucket's primary, and a node finds them all by the prefix `{B}`.
 */

/** The prefix every item key of the bucket starts with, `{bucket}`. */
export function bucketPrefix(bucket: string): string {
  return `{${bucket}}`;
}

/** The key that holds one item of a bucket, `{bucket}item`. */
export function bucketItemKey(bucket: string, item: string): string {
  return `{${bucket}}${item}`;
}

/**
 * Why a bucket name cannot be used, or undefined when it can: it must not be empty (`{}` is no
 * hash tag) nor hold a `}` (the tag would end there, and the bucket's items would not be the keys
 * its prefix finds).
 */
export function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.length === 0) return 'a bucket name must not be empty';
  if (bucket.includes('}')) return `a bucket name must not hold "}": ${JSON.stringify(bucket)}`;
  return undefined;
}

/** Answers the bucket name, or throws ERR_BAD_KEY saying why it cannot be used. */
export function requireBucketName(bucket: string): string {
  if (typeof bucket !== 'string')
    throw new BrainerError('ERR_BAD_KEY', `a bucket name must be a string, not ${bucket === null ? 'null' : typeof bucket}`);
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) throw new BrainerError('ERR_BAD_KEY', problem);
  return bucket;
}
