import test from 'ava';
import { startCluster } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

test('kill -9 of a node: reads and writes go on, and the node leaves nodes within the heartbeat window', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const keys = Array.from({ length: 300 }, (_, i) => `key${i}`);
  await Promise.all(keys.map((key) => client.set(key, `before-${key}`)));

  const victim = cluster.nodes[1]!;
  const killedAt = performance.now();
  victim.kill('SIGKILL');

  // Writes keep being acknowledged while the node is dying and after it is dropped.
  let round = 0;
  const goneAfter = await eventually(
    async () => {
      round++;
      await Promise.all(keys.slice(0, 50).map((key) => client.set(key, `during-${round}-${key}`)));
      const nodes = await client.nodes();
      return nodes.length === 2 && !nodes.some((node) => node.id === victim.id);
    },
    10_000,
    100,
  );
  t.log(`node dropped ${Math.round(goneAfter)} ms after the kill`);
  // 3 missed heartbeats of 500 ms, plus one sweep; generous for a shared machine.
  t.true(performance.now() - killedAt < 4000, 'dropped within the heartbeat window');

  await Promise.all(keys.map((key) => client.set(key, `after-${key}`)));
  const values = await Promise.all(keys.map((key) => client.get(key)));
  t.deepEqual(
    values,
    keys.map((key) => `after-${key}`),
  );
  const result = await client.verify();
  t.true(result.ok);
  t.is(result.nodes.length, 2);
});

test('a node stopped with SIGTERM unregisters at once', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const leaving = cluster.nodes[0]!;
  await leaving.stop();
  const nodes = await client.nodes();
  t.deepEqual(
    nodes.map((node) => node.id),
    [cluster.nodes[1]!.id],
  );
  await client.set('still', 'works');
  t.is(await client.get('still'), 'works');
});
