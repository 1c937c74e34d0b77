import test from 'ava';
import type { Brainer, NodeInfo } from '@brainer/client';
import { startCluster, type ManagedProcess, type TestCluster } from '@brainer/test-utils';
import { eventually, setMany, startDataCluster, startWriters } from '../src/index.js';

async function nodeInfo(client: Brainer, id: string): Promise<NodeInfo | undefined> {
  return (await client.nodes()).find((node) => node.id === id);
}

/** Waits until the broker lists `id` as ready, and answers what it lists. */
async function readyNode(client: Brainer, id: string): Promise<NodeInfo> {
  await eventually(async () => (await nodeInfo(client, id))?.state === 'ready', 30_000, 100);
  return (await nodeInfo(client, id))!;
}

/** Kills `victim` with -9 and waits until the broker has dropped it. */
async function killAndWaitGone(client: Brainer, victim: ManagedProcess): Promise<void> {
  victim.kill('SIGKILL');
  await victim.exited;
  await eventually(async () => (await nodeInfo(client, victim.id)) === undefined, 10_000, 100);
}

/** Stops every node but `keep`, so every read is answered by it. */
async function leaveAlone(cluster: TestCluster, keep: ManagedProcess): Promise<void> {
  await Promise.all(cluster.nodes.filter((node) => node !== keep && !node.hasExited).map((node) => node.stop()));
}

test.serial(
  'kill -9 of a node with --data-dir mid-write: it restarts on its directory, catches up from the backlog and ends equal',
  async (t) => {
    const { cluster, client } = await startDataCluster(t, { nodes: 2 });
    await setMany(client, 2000, (i) => `v${i}`, 'pre:');
    const hot = Array.from({ length: 200 }, (_, i) => `hot:${i}`);
    const writers = startWriters(client, { keys: hot, writers: 6, wait: 'all' });
    await eventually(() => writers.operations > 300, 10_000);

    const victim = cluster.nodes[1]!;
    await killAndWaitGone(client, victim);
    const written = writers.operations;
    await eventually(() => writers.operations > written + 300, 10_000);
    const restarted = await cluster.addNode({ id: victim.id });
    const info = await readyNode(client, victim.id);
    await writers.stop();
    t.log(`${writers.operations} writes acknowledged, ${writers.failures} failed`);

    t.is(info.sync, 'partial', 'it caught up from the backlog, not from a snapshot');
    t.regex(cluster.broker.stderr, new RegExp(`node resyncing from the backlog \\{"node":"${victim.id}"`));
    t.regex(restarted.stderr, /data log loaded .*"whole":true/);
    t.regex(restarted.stderr, /partial resync completed/);
    t.notRegex(restarted.stderr, /join started/);
    const verified = await client.verify();
    t.true(verified.ok, JSON.stringify(verified.nodes));
    t.is(verified.nodes.length, 2);

    // Alone, the restarted node answers every acknowledged outcome.
    await leaveAlone(cluster, restarted);
    const values = await Promise.all(hot.map((key) => client.get(key)));
    t.deepEqual(
      values.filter((_, i) => !writers.uncertain.has(hot[i]!)),
      hot.filter((key) => !writers.uncertain.has(key)).map((key) => writers.acknowledged.get(key) ?? null),
    );
    t.is(await client.get('pre:1999'), 'v1999');
  },
);

test.serial('a node that comes back past the backlog joins in full, and one within it resyncs partially', async (t) => {
  const { cluster, client } = await startDataCluster(t, { nodes: 3, brokerArgs: ['--backlog-writes', '200'] });
  await setMany(client, 500, (i) => `a${i}`);

  // Within the backlog: a few writes while it is away.
  const near = cluster.nodes[1]!;
  await killAndWaitGone(client, near);
  await setMany(client, 50, (i) => `b${i}`);
  await cluster.addNode({ id: near.id });
  t.is((await readyNode(client, near.id)).sync, 'partial');

  // Past the backlog: more writes than it holds.
  const far = cluster.nodes[2]!;
  await killAndWaitGone(client, far);
  for (let round = 0; round < 5; round++) await setMany(client, 100, (i) => `c${round}-${i}`);
  const farAgain = await cluster.addNode({ id: far.id });
  t.is((await readyNode(client, far.id)).sync, 'full');
  t.regex(
    cluster.broker.stderr,
    new RegExp(`node cannot resume from the backlog; it joins in full \\{"node":"${far.id}","reason":"the backlog holds`),
  );
  t.regex(farAgain.stderr, /join completed/);

  const verified = await client.verify();
  t.true(verified.ok, JSON.stringify(verified.nodes));
  t.is(verified.nodes.length, 3);
  await leaveAlone(cluster, farAgain);
  t.is(await client.get('k99'), 'c4-99');
  t.is(await client.get('k499'), 'a499');
});

test.serial('a memory node cut off for a moment resumes from the backlog when it registers again', async (t) => {
  // Short heartbeats, and a snapshot timeout shorter still: a catch-up spans several ticks, and must
  // not be taken for a join whose source went quiet.
  const cluster = await startCluster({ nodes: 2, heartbeatMs: 200, nodeArgs: ['--snapshot-timeout-ms', '10'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  await setMany(client, 300, (i) => `a${i}`);
  const paused = cluster.nodes[1]!;
  // A stopped process misses its heartbeats: the broker drops it, and writes go on without it.
  paused.kill('SIGSTOP');
  t.teardown(() => paused.kill('SIGCONT'));
  await eventually(async () => (await nodeInfo(client, paused.id)) === undefined, 10_000, 100);
  await setMany(client, 100, (i) => `b${i}`);
  // Some 20 MB of writes: the backlog replay comes as several frames, applied across several ticks.
  const filler = 'x'.repeat(500);
  for (let round = 0; round < 8; round++) await setMany(client, 5000, (i) => `${round}-${i}-${filler}`, 'bulk:');
  paused.kill('SIGCONT');
  const info = await readyNode(client, paused.id);
  t.is(info.sync, 'partial');
  t.regex(paused.stderr, /partial resync completed/);
  t.notRegex(paused.stderr, /join failed/);
  const verified = await client.verify();
  t.true(verified.ok, JSON.stringify(verified.nodes));
  await leaveAlone(cluster, paused);
  t.is(await client.get('k0'), 'b0');
  t.is(await client.get('k299'), 'a299');
});
