/**
 * The bytes one stored entry costs beyond its key and value, as the reference memory engine pays
 * them: a 32-byte slot record (seq, location, lengths, key hash, digest hash), about 8 bytes of key
 * table at its load factor, 5 bytes of access clock and counter, and the key length's varint.
 */
export const ENTRY_OVERHEAD_BYTES = 48;

/**
 * What one entry counts towards a node's used memory: its key's UTF-8 bytes, its value's bytes and
 * the fixed overhead. A node's used memory is the sum over the entries it stores, expired ones
 * included until their delete comes.
 */
export function entryBytes(keyBytes: number, valueBytes: number): number {
  return keyBytes + valueBytes + ENTRY_OVERHEAD_BYTES;
}

/** What the broker does when the data would outgrow `maxmemory` (the names are Redis's). */
export const MAXMEMORY_POLICIES = ['noeviction', 'allkeys-lru', 'volatile-lru', 'allkeys-lfu'] as const;

export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];

/** One entry a node offers as an eviction candidate. */
export interface EvictionSample {
  key: string;
  /** Milliseconds since the entry was last read or written on that node. */
  idleMs: number;
  /** The entry's LFU counter on that node (0 to 255, logarithmic, decayed by idle time). */
  frequency: number;
  /** Whether the entry has a TTL. */
  volatile: boolean;
  /** What the entry counts towards used memory (`entryBytes`). */
  bytes: number;
}

/** A node's answer to `evict-sample`: its used memory as of `seq`, and the sampled entries. */
export interface EvictSampleAnswer {
  /** The node's position in the write stream: `usedMemory` covers every write up to it. */
  seq: number;
  usedMemory: number;
  keys: number;
  samples: EvictionSample[];
}

/**
 * The JSON a node sends for an `evict-sample` answer: samples as `[key, idleMs, frequency,
 * volatile (0 or 1), bytes]` arrays, which keeps a large sample small.
 */
export function evictSampleJson(answer: EvictSampleAnswer): unknown {
  return {
    seq: answer.seq,
    usedMemory: answer.usedMemory,
    keys: answer.keys,
    samples: answer.samples.map((s) => [s.key, s.idleMs, s.frequency, s.volatile ? 1 : 0, s.bytes]),
  };
}

/** Reads an `evict-sample` answer; undefined when its shape is wrong. Malformed samples are skipped. */
export function parseEvictSample(json: unknown): EvictSampleAnswer | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const { seq, usedMemory, keys, samples } = json as Record<string, unknown>;
  if (!isCount(seq) || !isCount(usedMemory) || !isCount(keys) || !Array.isArray(samples)) return undefined;
  const parsed: EvictionSample[] = [];
  for (const sample of samples) {
    if (!Array.isArray(sample)) continue;
    const [key, idleMs, frequency, volatile, bytes] = sample as unknown[];
    if (typeof key !== 'string' || !isCount(idleMs) || !isCount(frequency) || !isCount(bytes)) continue;
    parsed.push({ key, idleMs, frequency, volatile: volatile === 1, bytes });
  }
  return { seq, usedMemory, keys, samples: parsed };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
