import { MAXMEMORY_POLICIES } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { parseByteSize } from './byte-size.js';
import { definedOnly } from './server-flags.js';

/** run-broker's flags for bounded memory (the names and units are Redis's). */
export const memoryFlags = {
  maxmemory: Flags.custom<number>({
    description:
      'The most used memory any node may hold: key bytes + value bytes + 48 per entry, as the nodes count it. Bytes, or with a unit: 64mb, 1gb (k, m, g are powers of 1000; kb, mb, gb of 1024). 0 for no limit (the default).',
    helpValue: '<bytes>',
    helpGroup: 'MEMORY',
    parse: async (input) => parseByteSize('--maxmemory', input),
  })(),
  'maxmemory-policy': Flags.string({
    description:
      'What a write past --maxmemory does: noeviction answers ERR_OOM; the others evict the least recently used keys (allkeys-lru), only those with a TTL (volatile-lru), or the least frequently used (allkeys-lfu). Default noeviction.',
    options: [...MAXMEMORY_POLICIES],
    helpGroup: 'MEMORY',
  }),
  'maxmemory-samples': Flags.integer({
    description: 'Keys sampled for each key evicted: more is closer to exact LRU or LFU, and costs more. Default 5.',
    min: 1,
    max: 64,
    helpGroup: 'MEMORY',
  }),
};

/** The broker options of the memory flags; only those given, so the broker's defaults apply to the rest. */
export function memoryOptionsFromFlags(flags: { maxmemory?: number; 'maxmemory-policy'?: string; 'maxmemory-samples'?: number }): {
  maxmemory?: number;
  maxmemoryPolicy?: (typeof MAXMEMORY_POLICIES)[number];
  maxmemorySamples?: number;
} {
  return definedOnly({
    maxmemory: flags.maxmemory,
    maxmemoryPolicy: flags['maxmemory-policy'] as (typeof MAXMEMORY_POLICIES)[number] | undefined,
    maxmemorySamples: flags['maxmemory-samples'],
  });
}
