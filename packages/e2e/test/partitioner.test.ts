import test from 'ava';
import { createPartitioner, PARTITIONER_NAMES } from '@brainer/protocol';
import { startCluster } from '@brainer/test-utils';
import { readsServed } from '../src/index.js';

for (const name of PARTITIONER_NAMES) {
  test(`run-broker --partitioner ${name}: the broker reports it, and every read goes to the primary it names`, async (t) => {
    const cluster = await startCluster({ nodes: 3, brokerArgs: ['--partitioner', name] });
    t.teardown(() => cluster.stop());
    const client = await cluster.client();
    t.is((await client.stats()).partitioner, name);

    const keys = [
      ...Array.from({ length: 300 }, (_, i) => `key:${i}`),
      ...['contacts', 'orders', 'favourites'].map((item) => `{customer:42}${item}`),
    ];
    await Promise.all(keys.map((key) => client.set(key, `value of ${key}`)));
    const before = await readsServed(cluster);
    t.deepEqual(
      await Promise.all(keys.map((key) => client.get(key))),
      keys.map((key) => `value of ${key}`),
    );
    const after = await readsServed(cluster);

    const partitioner = createPartitioner(
      name,
      cluster.nodes.map((node) => node.id),
    );
    const expected = new Map(cluster.nodes.map((node) => [node.id, 0]));
    for (const key of keys) expected.set(partitioner.primary(key)!, expected.get(partitioner.primary(key)!)! + 1);
    for (const node of cluster.nodes) {
      t.is(after.get(node.id)! - before.get(node.id)!, expected.get(node.id)!, `reads served by ${node.id}`);
    }
    t.is(new Set(['contacts', 'orders', 'favourites'].map((item) => partitioner.primary(`{customer:42}${item}`))).size, 1);
  });
}
