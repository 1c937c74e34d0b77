import type { Brainer } from '@brainer/client';
import { startCluster, type StartClusterOptions, type TestCluster } from '@brainer/test-utils';
import { tempDir } from './temp-dir.js';

/** Sets `<prefix><i>` to `value(i)` for every i below `count`, all at once. */
export async function setMany(client: Brainer, count: number, value: (i: number) => string, prefix = 'k'): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => client.set(`${prefix}${i}`, value(i))));
}

/**
 * A cluster whose nodes keep their data under a new temp dir (`<dataDir>/<node id>`), stopped and
 * removed when the test ends, with a client.
 */
export async function startDataCluster(
  t: { teardown(fn: () => unknown): void },
  options: StartClusterOptions,
): Promise<{ cluster: TestCluster; client: Brainer; dataDir: string }> {
  const dataDir = tempDir(t);
  const cluster = await startCluster({ ...options, dataDir });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  return { cluster, client, dataDir };
}
