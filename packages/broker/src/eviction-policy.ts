import type { EvictionSample, MaxmemoryPolicy } from '@brainer/protocol';

/** Whether the policy evicts at all: under `noeviction` a write past the limit gets ERR_OOM instead. */
export function evicts(policy: MaxmemoryPolicy): boolean {
  return policy !== 'noeviction';
}

/** Whether the policy may evict this entry: `volatile-lru` takes only entries with a TTL. */
export function mayEvict(policy: MaxmemoryPolicy, sample: EvictionSample): boolean {
  return policy !== 'noeviction' && (policy !== 'volatile-lru' || sample.volatile);
}

/**
 * Which candidates go first: the longest idle under the LRU policies; under `allkeys-lfu` the
 * lowest counter, the longest idle among equals.
 */
export function evictionOrder(policy: MaxmemoryPolicy): (a: EvictionSample, b: EvictionSample) => number {
  if (policy === 'allkeys-lfu') return (a, b) => a.frequency - b.frequency || b.idleMs - a.idleMs;
  return (a, b) => b.idleMs - a.idleMs;
}

/**
 * The candidates to evict to free `bytes`, best first, at most `maxKeys` of them. The caller
 * samples several candidates per key it may evict (Redis's `maxmemory-samples`), so that only the
 * best of each sample go.
 */
export function pickVictims(
  candidates: readonly EvictionSample[],
  policy: MaxmemoryPolicy,
  bytes: number,
  maxKeys: number,
): EvictionSample[] {
  const ordered = candidates.filter((sample) => mayEvict(policy, sample)).sort(evictionOrder(policy));
  const victims: EvictionSample[] = [];
  let freed = 0;
  for (const sample of ordered) {
    if (freed >= bytes || victims.length >= maxKeys) break;
    victims.push(sample);
    freed += sample.bytes;
  }
  return victims;
}
