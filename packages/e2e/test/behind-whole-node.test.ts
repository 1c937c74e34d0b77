import test from 'ava';
import { join } from 'node:path';
import { Brainer } from '@brainer/client';
import { startNode } from '@brainer/test-utils';
import { allReady, eventually, isReady, setMany, startDataCluster } from '../src/index.js';

const values = (count: number, value: (i: number) => string): string[] => Array.from({ length: count }, (_, i) => value(i));

// A node restarted from its disk is whole only up to where it stopped. With the only node that
// holds the later writes paused, the broker started an epoch from the restarted one and every write
// acknowledged since it stopped was gone.
test('the broker never starts an epoch from a whole node that stops before a write it acknowledged; it waits for the node that holds it', async (t) => {
  const { cluster, dataDir } = await startDataCluster(t, { nodes: 2, nodeArgs: ['--fsync', 'always'] });
  const client = await cluster.client({ timeoutMs: 15_000, reads: 'broker' });
  const [holder, behind] = cluster.nodes;
  await setMany(client, 100, (i) => `a${i}`);
  behind!.kill('SIGKILL');
  await behind!.exited;
  await eventually(async () => (await client.nodes()).length === 1, 10_000, 100);
  await setMany(client, 100, (i) => `b${i}`);

  // The only node holding the b writes stops answering, and the one without them comes back.
  holder!.kill('SIGSTOP');
  t.teardown(() => holder!.kill('SIGCONT'));
  await eventually(async () => (await client.nodes()).length === 0, 10_000, 100);
  const restarted = await startNode(cluster.endpoint, { id: behind!.id, dataDir: join(dataDir, behind!.id) });
  t.teardown(() => restarted.stop());
  await eventually(() => cluster.broker.stderr.includes('stop before the last write this broker acknowledged'), 10_000, 100);
  t.false(await isReady(client, behind!.id), 'the node that lacks acknowledged writes is not made the content');

  holder!.kill('SIGCONT');
  await eventually(() => allReady(client, 2), 20_000, 100);
  t.deepEqual(
    await Promise.all(values(100, (i) => `k${i}`).map((key) => client.get(key))),
    values(100, (i) => `b${i}`),
  );
  t.true((await client.verify()).ok);
});

// The other side: a node that comes back holding writes past where the epoch started, none of them
// acknowledged (they were waiting for a node that stopped), was kept out for good with ERR_DATA_AHEAD.
test('a whole node ahead of the epoch only by writes the broker never acknowledged joins in full', async (t) => {
  const { cluster, dataDir } = await startDataCluster(t, { nodes: 3, nodeArgs: ['--fsync', 'always'] });
  const client = await cluster.client({ timeoutMs: 15_000, reads: 'broker' });
  const [ahead, behind, stalled] = cluster.nodes;
  await setMany(client, 100, (i) => `a${i}`);
  behind!.kill('SIGKILL');
  await behind!.exited;
  await eventually(async () => (await client.nodes()).length === 2, 10_000, 100);

  // `ahead` applies these writes; they wait for the stopped node and are never acknowledged.
  const seqBefore = (await client.stats()).seq as number;
  stalled!.kill('SIGSTOP');
  t.teardown(() => stalled!.kill('SIGKILL'));
  const short = await cluster.client({ timeoutMs: 3000, reads: 'broker' });
  const unacknowledged = Promise.allSettled(values(100, (i) => `k${i}`).map((key, i) => short.set(key, `u${i}`)));
  // Once `ahead` has applied them all (its acks reach the broker), it stops cleanly, unregistering, and the writes wait on.
  const direct = Brainer.direct(ahead!.endpoint, { timeoutMs: 5000 });
  t.teardown(() => direct.close());
  await eventually(async () => ((await direct.stats()).seq as number) >= seqBefore + 100, 10_000, 50);
  await direct.close();
  await ahead!.stop();
  t.deepEqual(new Set((await unacknowledged).map((outcome) => outcome.status)), new Set(['rejected']));
  await eventually(async () => (await client.nodes()).length === 0, 10_000, 100);

  // The node that stopped before those writes seeds a new epoch, which acknowledges writes of its own.
  const restartedBehind = await startNode(cluster.endpoint, { id: behind!.id, dataDir: join(dataDir, behind!.id) });
  t.teardown(() => restartedBehind.stop());
  await eventually(() => allReady(client, 1), 20_000, 100);
  await setMany(client, 50, (i) => `c${i}`);

  const restartedAhead = await startNode(cluster.endpoint, { id: ahead!.id, dataDir: join(dataDir, ahead!.id) });
  t.teardown(() => restartedAhead.stop());
  await eventually(() => allReady(client, 2), 20_000, 100);
  t.regex(cluster.broker.stderr, /never acknowledged: it joins in full/);
  t.notRegex(cluster.broker.stderr, /ERR_DATA_AHEAD|node kept out/);
  const expected = [...values(50, (i) => `c${i}`), ...values(50, (i) => `a${i + 50}`)];
  t.deepEqual(await Promise.all(values(100, (i) => `k${i}`).map((key) => client.get(key))), expected);
  t.true((await client.verify()).ok);
});
