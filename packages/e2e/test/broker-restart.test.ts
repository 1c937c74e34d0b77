import test from 'ava';
import { startBroker, startCluster } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

test('broker kill -9 and restart: nodes re-register with their data and serve again', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 2000 });
  const keys = Array.from({ length: 400 }, (_, i) => `k${i}`);
  await Promise.all(keys.map((key) => client.set(key, `v-${key}`)));
  const before = await client.nodes();

  cluster.broker.kill('SIGKILL');
  await cluster.broker.exited;
  const restartedAt = performance.now();
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());

  const servingAfter = await eventually(
    async () => {
      try {
        const nodes = await client.nodes();
        return nodes.length === 3 && nodes.every((node) => node.state === 'ready');
      } catch {
        return false;
      }
    },
    15_000,
    100,
  );
  t.log(`serving ${Math.round(servingAfter)} ms after the broker restarted`);

  // Every acknowledged write survived, on every node.
  const values = await Promise.all(keys.map((key) => client.get(key)));
  t.deepEqual(
    values,
    keys.map((key) => `v-${key}`),
  );
  const after = await client.nodes();
  t.is(after[0]!.digest, before[0]!.digest);
  t.true(after.every((node) => node.seq >= before[0]!.seq));
  const stats = await client.stats();
  t.true((stats.epoch as number) >= 2, 'the new broker started a higher epoch');

  await eventually(async () => {
    try {
      await client.set('after', 'restart');
      return true;
    } catch {
      return false;
    }
  }, 5000);
  t.is(await client.get('after'), 'restart');
  t.true((await client.verify()).ok);
  t.true(performance.now() - restartedAt < 15_000);
});

test('keys with a TTL still expire after the broker restarts', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  await client.set('short', 'lived', { ttlMs: 4000 });
  await client.set('forever', 'lived');
  cluster.broker.kill('SIGKILL');
  await cluster.broker.exited;
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  await eventually(
    async () => {
      const nodes = await client.nodes().catch(() => []);
      return nodes.length === 2 && nodes.every((node) => node.state === 'ready');
    },
    15_000,
    100,
  );
  // The new broker learned the TTL from the nodes and deletes the key everywhere when it passes.
  await eventually(async () => (await client.nodes()).every((node) => node.keys === 1), 15_000, 200);
  t.is(await client.get('short'), null);
  t.is(await client.get('forever'), 'lived');
  t.true((await client.verify()).ok);
});
