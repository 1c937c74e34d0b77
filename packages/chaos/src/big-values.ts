import { Brainer } from '@brainer/client';

export interface BigValueBurst {
  /** Values sent, all in one tick. */
  count: number;
  /** Bytes of each value: the cluster's value limit. */
  bytes: number;
  acknowledged: number;
  /** Error codes of the sets that failed, with their counts. */
  failed: Record<string, number>;
  /** From the first set sent to the last answer, in ms. */
  burstMs: number;
}

/**
 * Sends `count` values of `bytes` each from a client of its own, all in the same tick, waits for
 * every answer, then deletes the keys again (`<prefix><i>`), so that they take no room in later
 * joins. These writes are not in the history: their values are too big to keep.
 */
export async function sendBigValues(
  endpoint: string,
  prefix: string,
  count: number,
  bytes: number,
  timeoutMs: number,
): Promise<BigValueBurst> {
  const client = new Brainer(endpoint, { timeoutMs });
  const value = Buffer.alloc(bytes, 0x62);
  const keys = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  try {
    const started = performance.now();
    const outcomes = await Promise.allSettled(keys.map((key) => client.set(key, value)));
    const burst: BigValueBurst = { count, bytes, acknowledged: 0, failed: {}, burstMs: Math.round(performance.now() - started) };
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') burst.acknowledged++;
      else {
        const code = (outcome.reason as { code?: unknown }).code;
        const name = typeof code === 'string' ? code : String(outcome.reason);
        burst.failed[name] = (burst.failed[name] ?? 0) + 1;
      }
    }
    await Promise.allSettled(keys.map((key) => client.del(key)));
    return burst;
  } finally {
    await client.close();
  }
}
