import test from 'ava';
import { statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Brainer } from '@brainer/client';
import { startBroker, startNode, type ManagedProcess } from '@brainer/test-utils';
import { callRaw as call, eventually, RawPeer, setMany, setOp, startDataCluster, startWriters } from '../src/index.js';

async function allReady(client: Brainer, count: number): Promise<void> {
  await eventually(
    async () => {
      const nodes = await client.nodes().catch(() => []);
      return nodes.length === count && nodes.every((node) => node.state === 'ready');
    },
    30_000,
    100,
  );
}

test.serial('a whole cluster killed with -9 and started again from its data directories comes back with all its data', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, { nodes: 3 });
  const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`);
  await Promise.all(keys.map((key) => client.set(key, `v-${key}`)));
  await Promise.all(keys.slice(0, 300).map((key) => client.del(key)));
  await client.set('expiring', 'later', { ttlMs: 600_000 });
  const before = await client.nodes();

  // Everything dies at once: no node unregisters, no log is closed.
  for (const process of [...cluster.nodes, cluster.broker]) process.kill('SIGKILL');
  await Promise.all([...cluster.nodes, cluster.broker].map((process) => process.exited));
  await client.close();

  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  const nodes = await Promise.all(before.map((node) => startNode(cluster.endpoint, { id: node.id, dataDir: join(dataDir, node.id) })));
  t.teardown(() => Promise.all(nodes.map((node) => node.stop())));
  const again = new Brainer(cluster.endpoint, { timeoutMs: 10_000 });
  t.teardown(() => again.close());
  await again.connect();
  await allReady(again, 3);
  const verified = await again.verify();
  t.true(verified.ok);
  t.is(verified.digest, before[0]!.digest, 'the content the cluster had before');

  const values = await Promise.all(keys.map((key) => again.get(key)));
  t.deepEqual(
    values,
    keys.map((key, i) => (i < 300 ? null : `v-${key}`)),
  );
  t.true(
    nodes.every((node) => /data log loaded .*"keys":2701/.test(node.stderr)),
    'every node loaded all the keys from its log',
  );
  // The new broker learned from the nodes' data which key to expire.
  await eventually(async () => (await again.stats()).ttlKeys === 1, 10_000, 100);
  t.is(await again.get('expiring'), 'later');
  await again.set('after', 'restart');
  t.is(await again.get('after'), 'restart');
});

test.serial('a write retried after the whole cluster restarted from disk is recognised and not applied again', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, { nodes: 2 });
  const identity = 'c-restart-retry-01';
  const peer = new RawPeer(cluster.endpoint, identity);
  t.teardown(() => peer.close());
  t.like(await call(peer, setOp(41, 'k', 'first')), { type: 'reply', replies: [{ id: 41, ok: true }] });
  t.like(await call(peer, { op: 'del', id: 42, key: 'doomed', wait: 'all' }), { type: 'reply', replies: [{ id: 42, ok: true, value: 0 }] });
  peer.close();
  const ids = (await client.nodes()).map((node) => node.id);

  for (const process of [...cluster.nodes, cluster.broker]) process.kill('SIGKILL');
  await Promise.all([...cluster.nodes, cluster.broker].map((process) => process.exited));
  await client.close();
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  const nodes = await Promise.all(ids.map((id) => startNode(cluster.endpoint, { id, dataDir: join(dataDir, id) })));
  t.teardown(() => Promise.all(nodes.map((node) => node.stop())));
  const other = new Brainer(cluster.endpoint, { timeoutMs: 10_000 });
  t.teardown(() => other.close());
  await other.connect();
  await allReady(other, 2);
  // Another client writes once the new cluster serves.
  await other.set('k', 'second');
  await other.set('doomed', 'alive');
  const seqBefore = (await other.nodes())[0]!.seq;

  // The first client retries with the same ids, as it would after answers lost in the crash: the
  // new broker learns of them from what the nodes kept on disk, answers with the first outcomes,
  // and applies nothing.
  const again = new RawPeer(cluster.endpoint, identity);
  t.teardown(() => again.close());
  t.like(await call(again, setOp(41, 'k', 'first')), { type: 'reply', replies: [{ id: 41, ok: true }] });
  t.like(await call(again, { op: 'del', id: 42, key: 'doomed', wait: 'all' }), {
    type: 'reply',
    replies: [{ id: 42, ok: true, value: 0 }],
  });
  t.is(await other.get('k'), 'second', 'the retry did not roll k back');
  t.is(await other.get('doomed'), 'alive', 'the retried delete did not run again');
  t.true(
    (await other.nodes()).every((node) => node.seq === seqBefore),
    'no write was sequenced for the retries',
  );
});

test.serial('compaction runs under load on every node and nothing is lost, even across a kill -9', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, {
    nodes: 2,
    nodeArgs: ['--compact-min-bytes', '300000', '--compact-growth-percent', '50'],
  });
  await setMany(client, 1000, (i) => `c${i}`, 'cold:');
  const hot = Array.from({ length: 100 }, (_, i) => `hot:${i}`);
  const writers = startWriters(client, { keys: hot, writers: 6, wait: 'all', valueBytes: 1000 });
  const compactions = (node: ManagedProcess): number => (node.stderr.match(/data log: compacted/g) ?? []).length;
  await eventually(() => writers.operations > 3000 && cluster.nodes.every((node) => compactions(node) >= 3), 60_000, 200);
  const victim = cluster.nodes[1]!;
  victim.kill('SIGKILL');
  await victim.exited;
  await eventually(async () => (await client.nodes()).length === 1, 10_000, 100);
  const restarted = await cluster.addNode({ id: victim.id });
  await allReady(client, 2);
  await writers.stop();
  t.log(`${writers.operations} writes acknowledged, ${writers.failures} failed`);

  // A compaction may still be running when the writers stop (on a busy machine it takes a while, and
  // writes made meanwhile go to the old log too); once it is done, the log holds the live keys only.
  const logSize = (): number => statSync(join(dataDir, victim.id, 'brainer.log')).size;
  const bound = writers.operations * 300;
  await eventually(() => logSize() < bound, 30_000, 200).catch(() => undefined);
  t.true(logSize() < bound, `the log stays small (${logSize()} bytes) though ${writers.operations} writes of 1 KB were made`);
  t.true((await client.verify()).ok);
  await cluster.nodes[0]!.stop();
  const values = await Promise.all(hot.map((key) => client.get(key)));
  t.deepEqual(
    values.filter((_, i) => !writers.uncertain.has(hot[i]!)),
    hot.filter((key) => !writers.uncertain.has(key)).map((key) => writers.acknowledged.get(key) ?? null),
  );
  t.is(await client.get('cold:999'), 'c999');
  t.regex(restarted.stderr, /partial resync completed/);
});

test.serial('a node whose log lost its torn last record says so, cuts it off, and catches up', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, { nodes: 2 });
  await setMany(client, 500, (i) => `v${i}`);
  const victim = cluster.nodes[1]!;
  await victim.stop();
  // As if the machine crashed in the middle of the last write.
  const path = join(dataDir, victim.id, 'brainer.log');
  truncateSync(path, statSync(path).size - 7);
  await setMany(client, 50, (i) => `w${i}`);
  const restarted = await cluster.addNode({ id: victim.id });
  await allReady(client, 2);
  // The last record is the origin of the last write: its loss leaves the position where it was.
  t.regex(restarted.stderr, /data log: cut off a torn last record.*"reason":"the last record is torn"/);
  t.true((await client.verify()).ok);
  await cluster.nodes[0]!.stop();
  t.is(await client.get('k0'), 'w0');
  t.is(await client.get('k499'), 'v499');
});

test.serial('a cluster restarted from disk starts from its most advanced node, whichever registers first', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, { nodes: 2 });
  await setMany(client, 200, (i) => `a${i}`);
  // node2 goes down; node1 alone acknowledges more writes.
  const [ahead, behind] = cluster.nodes as [ManagedProcess, ManagedProcess];
  behind.kill('SIGKILL');
  await behind.exited;
  await eventually(async () => (await client.nodes()).length === 1, 10_000, 100);
  await setMany(client, 200, (i) => `b${i}`);
  ahead.kill('SIGKILL');
  cluster.broker.kill('SIGKILL');
  await Promise.all([ahead.exited, cluster.broker.exited]);
  await client.close();

  // The node that is behind registers first; the broker waits for the other before it starts.
  const broker = await startBroker({ endpoint: cluster.endpoint, args: ['--startup-wait-ms', '10000'] });
  t.teardown(() => broker.stop());
  const first = await startNode(cluster.endpoint, { id: behind.id, dataDir: join(dataDir, behind.id) });
  t.teardown(() => first.stop());
  const second = await startNode(cluster.endpoint, { id: ahead.id, dataDir: join(dataDir, ahead.id) });
  t.teardown(() => second.stop());
  const again = new Brainer(cluster.endpoint, { timeoutMs: 15_000 });
  t.teardown(() => again.close());
  await again.connect();
  await allReady(again, 2);
  t.regex(broker.stderr, new RegExp(`epoch started \\{"epoch":\\d+,"seq":\\d+,"from":"${ahead.id}"`));
  const nodes = await again.nodes();
  t.is(nodes.find((node) => node.id === behind.id)?.sync, 'full');
  t.is(nodes.find((node) => node.id === ahead.id)?.sync, 'none');
  t.deepEqual(
    await Promise.all(Array.from({ length: 200 }, (_, i) => again.get(`k${i}`))),
    Array.from({ length: 200 }, (_, i) => `b${i}`),
  );
  t.true((await again.verify()).ok);
});
