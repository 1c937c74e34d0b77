import test from 'ava';
import { Brainer } from '@brainer/client';
import { startCluster } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

// Issue 14: the broker's table of direct-read clients shrank only when membership changed.
test('closed direct-read clients leave the broker’s watchers table once their watch TTL (5 s) runs out', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const probe = await cluster.client({ reads: 'broker' });
  const watchers = async (): Promise<unknown> => (await probe.stats()).watchers;
  // The cluster's own readiness client watches too, and keeps doing so.
  const before = (await watchers()) as number;
  const readers = Array.from({ length: 20 }, () => new Brainer(cluster.endpoint, { timeoutMs: 5000 }));
  t.teardown(() => Promise.all(readers.map((reader) => reader.close())));
  await Promise.all(readers.map((reader) => reader.connect()));
  await eventually(async () => (await watchers()) === before + 20, 10_000, 100);

  await Promise.all(readers.map((reader) => reader.close()));
  const closedAt = performance.now();
  // Nothing changes membership from here on: only the TTL can shrink the table.
  await eventually(async () => (await watchers()) === before, 9000, 200);
  const ms = performance.now() - closedAt;
  t.log(`watchers table empty ${Math.round(ms)} ms after the clients closed`);
  t.is((await probe.stats()).nodes, 1);
});
