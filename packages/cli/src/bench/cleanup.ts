import type { Brainer } from '@brainer/client';
import { forEachIndex } from '@brainer/loadgen';
import { PRELOAD_IN_FLIGHT } from './preload.js';

/**
 * Deletes every key the bench may have written: the whole key space and the fence key, many
 * deletes in flight, each waiting for every node. Resolves with how many keys existed.
 */
export async function deleteBenchKeys(
  clients: readonly Brainer[],
  options: { keys: number; keyName: (index: number) => string; fenceKey: string },
): Promise<number> {
  let deleted = 0;
  const names = (index: number): string => (index === options.keys ? options.fenceKey : options.keyName(index));
  await forEachIndex(
    options.keys + 1,
    async (index, stream) => {
      if (await clients[stream % clients.length]!.del(names(index))) deleted++;
    },
    { concurrency: PRELOAD_IN_FLIGHT },
  );
  return deleted;
}
