import { murmur3String } from './murmur3.js';

/**
 * Where a key's hash tag opens, Redis Cluster's rule: the tag is the text between the first `{`
 * and the first `}` after it, when that text is not empty. Answers the index of that `{`, or -1
 * when the key has no tag and is hashed whole.
 */
function tagOpen(key: string): number {
  const open = key.indexOf('{');
  if (open < 0) return -1;
  return key.indexOf('}', open + 1) > open + 1 ? open : -1;
}

/** The part of a key that decides its placement: its hash tag, or the whole key. */
export function hashTag(key: string): string {
  const open = tagOpen(key);
  return open < 0 ? key : key.slice(open + 1, key.indexOf('}', open + 1));
}

/**
 * The hash every partitioner places a key by: murmur3 of the UTF-8 of its hash tag, or of the
 * whole key when it has none. So `{customer:42}orders` and `{customer:42}contacts` land together.
 */
export function placementHash(key: string): number {
  const open = tagOpen(key);
  return open < 0 ? murmur3String(key) : murmur3String(key, 0, open + 1, key.indexOf('}', open + 1));
}
