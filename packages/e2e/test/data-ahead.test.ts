import test from 'ava';
import { join } from 'node:path';
import { Brainer } from '@brainer/client';
import { startBroker, startNode } from '@brainer/test-utils';
import { allReady, eventually, setMany, startDataCluster } from '../src/index.js';

// Issue 14, row 7's other half: a whole node that comes after the start-up wait with data ahead of
// the cluster was made to join in full, dropping what only it had.
test('a whole node ahead of an epoch that has acknowledged nothing yet becomes its content; the other node joins from it', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, { nodes: 2, nodeArgs: ['--fsync', 'always'] });
  await setMany(client, 200, (i) => `a${i}`);
  const [ahead, behind] = cluster.nodes;
  behind!.kill('SIGKILL');
  await behind!.exited;
  await eventually(async () => (await client.nodes()).length === 1, 10_000, 100);
  await setMany(client, 200, (i) => `b${i}`);
  ahead!.kill('SIGKILL');
  cluster.broker.kill('SIGKILL');
  await Promise.all([ahead!.exited, cluster.broker.exited]);
  await client.close();

  // The node that is behind comes alone and seeds; the one ahead comes after the start-up wait.
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  const first = await startNode(cluster.endpoint, { id: behind!.id, dataDir: join(dataDir, behind!.id) });
  t.teardown(() => first.stop());
  const again = new Brainer(cluster.endpoint, { timeoutMs: 15_000, reads: 'broker' });
  t.teardown(() => again.close());
  await eventually(() => allReady(again, 1), 15_000, 100);
  const second = await startNode(cluster.endpoint, { id: ahead!.id, dataDir: join(dataDir, ahead!.id) });
  t.teardown(() => second.stop());
  await eventually(() => allReady(again, 2), 20_000, 100);

  t.regex(broker.stderr, /the epoch starts again from it/);
  t.regex(broker.stderr, new RegExp(`epoch started \\{"epoch":\\d+,"seq":\\d+,"from":"${ahead!.id}"`));
  t.deepEqual(
    await Promise.all(Array.from({ length: 200 }, (_, i) => again.get(`k${i}`))),
    Array.from({ length: 200 }, (_, i) => `b${i}`),
  );
  t.true((await again.verify()).ok);
});
