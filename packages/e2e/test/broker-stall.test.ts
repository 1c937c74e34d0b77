import test from 'ava';
import { startCluster } from '@brainer/test-utils';

const WRITES = 200;

for (const pauseMs of [1500, 3000, 5000]) {
  test.serial(`a broker stopped for ${pauseMs} ms drops no node, and the ${WRITES} writes in flight each apply once`, async (t) => {
    const cluster = await startCluster({ nodes: 3 });
    t.teardown(() => cluster.stop());
    const client = await cluster.client({ timeoutMs: 20_000 });
    const before = await client.stats();

    const half = WRITES / 2;
    const writes = Array.from({ length: half }, (_, i) => client.set(`stall-${i}`, `v${i}`));
    cluster.broker.kill('SIGSTOP');
    t.teardown(() => cluster.broker.kill('SIGCONT'));
    writes.push(...Array.from({ length: half }, (_, i) => client.set(`stall-${half + i}`, `v${half + i}`)));
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    cluster.broker.kill('SIGCONT');
    const outcomes = await Promise.allSettled(writes);
    const failed = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    t.deepEqual(
      failed.map((outcome) => (outcome.reason as { code?: string }).code),
      [],
      'every write succeeds within its timeout',
    );

    const after = await client.stats();
    t.is(after.epoch, before.epoch, 'the epoch is unchanged');
    t.is(after.seq, (before.seq as number) + WRITES, 'each write was sequenced once');
    t.notRegex(cluster.broker.stderr, /node lost/, 'no node was dropped');
    t.regex(cluster.broker.stderr, /broker stalled/, 'the broker logged its own stall');
    for (let i = 0; i < WRITES; i++) t.is(await client.get(`stall-${i}`), `v${i}`);
    t.true((await client.verify()).ok);
  });
}

test.serial('run-node --broker-silence-ms sets how long a silent broker is waited for before the node reconnects', async (t) => {
  // 2 s, well under the default 10 s, yet not so short that a loaded machine's slow answers look like silence.
  const cluster = await startCluster({ nodes: 1, nodeArgs: ['--broker-silence-ms', '2000'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 20_000 });
  const [node] = cluster.nodes;
  cluster.broker.kill('SIGSTOP');
  t.teardown(() => cluster.broker.kill('SIGCONT'));
  await new Promise((resolve) => setTimeout(resolve, 4000));
  cluster.broker.kill('SIGCONT');
  try {
    await client.set('after', 'v');
  } catch (error) {
    t.log(`broker:\n${cluster.broker.stderr.slice(-6000)}\nnode:\n${node!.stderr.slice(-6000)}`);
    throw error;
  }
  t.regex(node!.stderr, /broker silent; reconnecting/, 'past 2 s of silence the node registered again');
});
