import type { Brainer, WaitMode } from '@brainer/client';

/** The last acknowledged outcome for one key: its value, or null once deleted. */
export type Acknowledged = Map<string, string | null>;

export interface WriterOptions {
  /** Keys the writers overwrite and delete. */
  keys: readonly string[];
  /** Parallel writer loops; each owns its own slice of the keys, so each key's writes are ordered. */
  writers: number;
  wait: WaitMode;
  /** Fraction of operations that delete instead of set. Default 0.2. */
  deleteRatio?: number;
  /** Pads each value to about this many bytes. Default: no padding (a few dozen bytes). */
  valueBytes?: number;
}

/**
 * Runs writers that keep overwriting and deleting keys until stopped, recording each key's last
 * acknowledged outcome. Writes that fail are recorded as unknown and left out of the checks.
 */
export function startWriters(client: Brainer, options: WriterOptions) {
  const acknowledged: Acknowledged = new Map();
  const uncertain = new Set<string>();
  let running = true;
  let operations = 0;
  let failures = 0;
  const loops = Array.from({ length: options.writers }, async (_, writer) => {
    const mine = options.keys.filter((_, i) => i % options.writers === writer);
    let n = 0;
    while (running) {
      const key = mine[n % mine.length]!;
      n++;
      const remove = Math.random() < (options.deleteRatio ?? 0.2);
      const value = `w${writer}-${n}-${Date.now()}`.padEnd(options.valueBytes ?? 0, '.');
      try {
        if (remove) await client.del(key, { wait: options.wait });
        else await client.set(key, value, { wait: options.wait });
        acknowledged.set(key, remove ? null : value);
        uncertain.delete(key);
        operations++;
      } catch {
        uncertain.add(key);
        failures++;
      }
    }
  });
  return {
    acknowledged,
    uncertain,
    get operations() {
      return operations;
    },
    get failures() {
      return failures;
    },
    async stop(): Promise<void> {
      running = false;
      await Promise.all(loops);
    },
  };
}
