import type { TestCluster } from '@brainer/test-utils';
import { processMemory } from './process-memory.js';
import { redisUsedMemory } from './redis-target.js';
import type { Target } from './target.js';

export interface MemoryFigures {
  keys: number;
  valueBytes: number;
  brainerBytesPerKey: number;
  redisBytesPerKey: number | null;
}

const memKey = (i: number): string => `mem:${String(i).padStart(8, '0')}`;

/**
 * Bytes per key: loads `keys` more keys of `value` into each system. Brainer: growth of the first
 * node's RSS (VmRSS) ÷ keys. Redis: growth of the master's `used_memory` ÷ keys.
 */
export async function measureMemory(
  keys: number,
  value: Buffer,
  brainer: { cluster: TestCluster; target: Target },
  redis: { port: number; target: Target } | undefined,
): Promise<MemoryFigures> {
  let redisBytesPerKey: number | null = null;
  if (redis !== undefined) {
    const before = await redisUsedMemory(redis.port);
    await redis.target.preload(memKey, keys, value);
    redisBytesPerKey = ((await redisUsedMemory(redis.port)) - before) / keys;
  }
  const node = brainer.cluster.nodes[0]!;
  const before = (await processMemory(node.pid)).rss;
  await brainer.target.preload(memKey, keys, value);
  // Let the node settle (collect garbage from the load) before reading its RSS.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = (await processMemory(node.pid)).rss;
  return { keys, valueBytes: value.length, brainerBytesPerKey: (after - before) / keys, redisBytesPerKey };
}
