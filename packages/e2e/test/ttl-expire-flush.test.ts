import test from 'ava';
import { join } from 'node:path';
import { startCluster, startNode } from '@brainer/test-utils';
import { allReady, eventually, setMany, startDataCluster } from '../src/index.js';

test('ttl and pttl answer as Redis does; expire sets, replaces and removes a TTL on every node', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const viaBroker = await cluster.client({ reads: 'broker' });

  await client.set('plain', 'v');
  t.is(await client.ttl('plain'), -1);
  t.is(await client.pttl('missing'), -2);
  t.is(await viaBroker.ttl('missing'), -2);

  t.true(await client.expire('plain', 60_000));
  const left = await client.pttl('plain');
  t.true(left > 50_000 && left <= 60_000, String(left));
  t.is(await viaBroker.ttl('plain'), 60);
  t.is(await client.get('plain'), 'v', 'the value stays');
  t.false(await client.expire('missing', 60_000), 'a missing key gets no TTL, and is not made');
  t.is(await client.get('missing'), null);

  // A later set without a TTL clears the one expire gave.
  await client.set('plain', 'w');
  t.is(await client.ttl('plain'), -1);

  // The broker expires it as it would a set's TTL: deleted on every node.
  t.true(await client.expire('plain', 300));
  await eventually(async () => (await viaBroker.get('plain')) === null && (await client.stats()).ttlKeys === 0, 10_000, 100);
  t.true((await client.verify()).ok);

  // 0 or less deletes, and says whether the key was there.
  await client.set('doomed', 'x', { ttlMs: 60_000 });
  t.true(await client.expire('doomed', 0));
  t.is(await client.get('doomed'), null);
  t.false(await client.expire('doomed', -5));

  // A key whose time is up is missing to an expire, on every node, even before the broker's sweep.
  await client.set('lapsed', 'x', { ttlMs: 100 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.false(await client.expire('lapsed', 60_000));
  t.is(await viaBroker.get('lapsed'), null);
  t.is(await client.pttl('lapsed'), -2);
  t.true((await client.verify()).ok);

  const error = await t.throwsAsync(client.expire('k', 1.5));
  t.is((error as { code?: string }).code, 'ERR_BAD_REQUEST');
});

test('flushall removes every key on every node, and writes after it stay', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ reads: 'broker' });
  await setMany(client, 300, (i) => `v${i}`);
  await client.set('ttl', 'x', { ttlMs: 60_000 });

  await client.flushall();
  t.deepEqual(await client.keys(), []);
  const nodes = await client.nodes();
  t.deepEqual(
    nodes.map((node) => node.keys),
    [0, 0, 0],
  );
  t.is((await client.stats()).ttlKeys, 0, 'the broker forgets the expiries');
  await client.set('after', 'kept');
  t.deepEqual(await client.keys(), ['after']);
  t.true((await client.verify()).ok);

  // A node that joins now gets what is there, nothing flushed.
  const late = await cluster.addNode();
  await eventually(() => allReady(client, 4), 20_000, 100);
  t.true((await client.verify()).ok);
  t.is((await client.nodes()).find((node) => node.id === late.id)?.keys, 1);
});

test('a flush and an expire survive a restart of the whole cluster from its data directories', async (t) => {
  const { cluster, client, dataDir } = await startDataCluster(t, { nodes: 2, nodeArgs: ['--fsync', 'always'] });
  await setMany(client, 100, (i) => `old${i}`);
  await client.flushall();
  await client.set('new', 'v');
  t.true(await client.expire('new', 3_600_000));
  const digest = (await client.nodes())[0]!.digest;
  for (const node of cluster.nodes) node.kill('SIGKILL');
  await Promise.all(cluster.nodes.map((node) => node.exited));

  const restarted = await Promise.all(
    cluster.nodes.map((node) => startNode(cluster.endpoint, { id: node.id, dataDir: join(dataDir, node.id) })),
  );
  t.teardown(() => Promise.all(restarted.map((node) => node.stop())));
  await eventually(() => allReady(client, 2), 20_000, 100);
  t.deepEqual(await client.keys(), ['new']);
  t.is((await client.nodes())[0]!.digest, digest);
  const left = await client.pttl('new');
  t.true(left > 3_000_000, String(left));
});
