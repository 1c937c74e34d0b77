import test from 'ava';
import { startCluster } from '@brainer/test-utils';
import { allReady, eventually, loadBulk, missingBulk, WriteProbe } from '../src/index.js';

// Issue 14, row 1: with the only ready node paused while a second node loads its snapshot, the
// broker made the half-loaded joiner the cluster's content, and the paused node, back, joined from it.
const KEYS = 50_000;
const VALUE_BYTES = 1024;
/** Past the broker's failure detection (3 heartbeats of 500 ms). */
const PAUSE_MS = 3000;

/** The node's snapshot progress as the broker reports it, or undefined while it is not joining. */
async function received(client: { nodes(): Promise<{ id: string; progress?: { received: number } }[]> }, id: string): Promise<number> {
  return (await client.nodes()).find((node) => node.id === id)?.progress?.received ?? 0;
}

test.serial(
  'the only ready node paused mid-join: writes get ERR_NOT_READY, nothing acknowledged is lost, the join starts again from it',
  async (t) => {
    // Small chunks (sent by node1) and one chunk of credit (taken by the joiner) stretch the join over seconds.
    const cluster = await startCluster({ nodes: 1, nodeArgs: ['--snapshot-chunk-entries', '100'] });
    t.teardown(() => cluster.stop());
    const client = await cluster.client({ timeoutMs: 20_000 });
    await loadBulk(client, KEYS, VALUE_BYTES);
    const [n1] = cluster.nodes;

    const joiner = await cluster.addNode({ id: 'joiner', args: ['--snapshot-credit', '1'] });
    await eventually(async () => (await received(client, joiner.id)) > 2000, 30_000, 20);
    const loadedAtPause = await received(client, joiner.id);
    t.true(loadedAtPause < KEYS, 'the pause lands mid-join');

    n1!.kill('SIGSTOP');
    const probe = new WriteProbe(cluster.endpoint, 'probe:');
    t.teardown(() => probe.stop());
    await eventually(() => /node lost \{"node":"node1"/.test(cluster.broker.stderr), 10_000);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS - 1500));
    n1!.kill('SIGCONT');
    const outcomes = await probe.stop();
    t.log('writes while node1 was paused:', JSON.stringify([...outcomes]));
    t.is(probe.count('ok'), 0, 'no write is acknowledged while no whole node is ready');
    t.is(probe.count('ERR_NO_NODES'), 0);
    t.true(probe.count('ERR_NOT_READY') > 0, 'writes are refused as retryable');

    await eventually(() => allReady(client, 2), 60_000, 200);
    t.deepEqual(await missingBulk(client, KEYS, VALUE_BYTES), [], 'every acknowledged key reads back');
    const verified = await client.verify();
    t.true(verified.ok, JSON.stringify(verified));
    // A probe write stamped before node1 was found lost is in the stream, unacknowledged: it may
    // land once the cluster serves again. The loaded keys are all there either way.
    const attempted = [...outcomes.values()].reduce((sum, n) => sum + n, 0);
    const [first, second] = verified.nodes.map((node) => node.keys);
    t.is(first, second, 'both nodes hold the same keys');
    t.true(first! >= KEYS && first! <= KEYS + attempted, `${first} keys: the ${KEYS} loaded and at most the ${attempted} probe writes`);
    t.notRegex(cluster.broker.stderr, /epoch started \{[^}]*"from":"joiner"/, 'the joiner never seeds an epoch');
    t.regex(cluster.broker.stderr, /node joining \{"node":"joiner","endpoint":"[^"]+","source":"node1"/);
  },
);

test.serial('the broker paused mid-join in a 3-node cluster: nothing acknowledged is lost', async (t) => {
  // The snapshot streams from node to node, so the join must outlast the broker's pause: smaller chunks still.
  const cluster = await startCluster({ nodes: 2, nodeArgs: ['--snapshot-chunk-entries', '20'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 20_000 });
  await loadBulk(client, KEYS, VALUE_BYTES);

  const joiner = await cluster.addNode({ id: 'joiner', args: ['--snapshot-credit', '1'] });
  await eventually(async () => (await received(client, joiner.id)) > 2000, 30_000, 20);
  const loadedAtPause = await received(client, joiner.id);
  t.true(loadedAtPause < KEYS, 'the pause lands mid-join');

  cluster.broker.kill('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  cluster.broker.kill('SIGCONT');

  await eventually(() => allReady(client, 3), 60_000, 200);
  t.deepEqual(await missingBulk(client, KEYS, VALUE_BYTES), [], 'every acknowledged key reads back');
  const verified = await client.verify();
  t.true(verified.ok, JSON.stringify(verified));
  t.deepEqual(
    verified.nodes.map((node) => node.keys),
    [KEYS, KEYS, KEYS],
  );
  t.log(`joiner at the broker's pause: ${loadedAtPause} of ${KEYS} keys`);
});
