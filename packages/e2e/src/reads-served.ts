import { Brainer } from '@brainer/client';
import type { TestCluster } from '@brainer/test-utils';

/** How many reads each node of the cluster has served so far (forwarded and direct), by node id, asked of each node. */
export async function readsServed(cluster: TestCluster): Promise<Map<string, number>> {
  const served = new Map<string, number>();
  for (const node of cluster.nodes) {
    const direct = new Brainer(node.endpoint, { reads: 'broker', timeoutMs: 5000 });
    try {
      served.set(node.id, (await direct.stats()).readsServed as number);
    } finally {
      await direct.close();
    }
  }
  return served;
}
