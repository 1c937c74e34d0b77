import type { Brainer } from '@brainer/client';
import { forEachIndex } from '@brainer/loadgen';
import type { TestCluster } from '@brainer/test-utils';
import type { Target } from './target.js';

/**
 * Drives a Brainer cluster with @brainer/client: one client instance per connection, and two more
 * that the callers of the one-client rows share (the second reads with `readFrom: 'any-node'`).
 */
export async function brainerTarget(cluster: TestCluster, connections: number, timeoutMs = 30_000): Promise<Target> {
  const clients: Brainer[] = [];
  for (let i = 0; i <= connections; i++) clients.push(await cluster.client({ timeoutMs }));
  const conn = (i: number): Brainer => clients[i]!;
  const shared = clients[connections]!;
  const sharedAnyNode = await cluster.client({ timeoutMs, readFrom: 'any-node' });
  clients.push(sharedAnyNode);
  return {
    name: 'brainer',
    connections,
    replicatedSet: (i, key, value) => conn(i).set(key, value, { wait: 'all' }),
    set: (i, key, value) => conn(i).set(key, value, { wait: 'primary' }),
    get: (i, key) => conn(i).getBuffer(key),
    pipelinedGet: (i, key) => conn(i).getBuffer(key),
    sharedReplicatedSet: (key, value) => shared.set(key, value, { wait: 'all' }),
    sharedGet: (key) => shared.getBuffer(key),
    sharedGetAnyNode: (key) => sharedAnyNode.getBuffer(key),
    async preload(keyName, count, value) {
      // Many in flight with wait=primary, then one wait=all write: nodes apply writes in sequence,
      // so once the fence is everywhere, every key is.
      await forEachIndex(count, (i, stream) => conn(stream % clients.length).set(keyName(i), value, { wait: 'primary' }), {
        concurrency: 2000,
      });
      await conn(0).set('preload:fence', value, { wait: 'all' });
    },
    async close() {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    },
  };
}
