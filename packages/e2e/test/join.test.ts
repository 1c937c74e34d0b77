import test from 'ava';
import { Brainer, BrainerError, type WaitMode } from '@brainer/client';
import { startCluster } from '@brainer/test-utils';
import { eventually, startWriters } from '../src/index.js';

async function preload(client: Brainer, count: number, valueBytes = 100): Promise<void> {
  const filler = 'x'.repeat(valueBytes);
  for (let start = 0; start < count; start += 2000) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 2000); i++) batch.push(client.set(`pre:${i}`, `${i}:${filler}`));
    await Promise.all(batch);
  }
}

for (const wait of ['all', 'primary'] as WaitMode[]) {
  test(`a node joins under live overwrites and deletes (wait=${wait}) and ends with every acknowledged value`, async (t) => {
    const cluster = await startCluster({ nodes: 2 });
    t.teardown(() => cluster.stop());
    const client = await cluster.client({ timeoutMs: 10_000 });
    await preload(client, 20_000);
    const hot = Array.from({ length: 300 }, (_, i) => `hot:${i}`);
    const writers = startWriters(client, { keys: hot, writers: 8, wait });
    await eventually(() => writers.operations > 300, 10_000);

    // A small chunk size stretches the snapshot, so many writes land while it streams.
    const joiner = await cluster.addNode({ id: 'joiner', args: ['--snapshot-chunk-entries', '200'] });
    await eventually(async () => (await client.nodes()).some((node) => node.id === joiner.id && node.state === 'ready'), 30_000, 100);
    const duringJoin = writers.operations;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writers.stop();
    t.log(`${writers.operations} writes acknowledged, ${duringJoin} by the time the joiner was ready, ${writers.failures} failed`);
    t.is(writers.failures, 0);

    const verified = await client.verify();
    t.true(verified.ok, JSON.stringify(verified.nodes));
    t.is(verified.nodes.length, 3);

    // Leave the new node alone in the cluster, then read every acknowledged outcome from it.
    await cluster.nodes[0]!.stop();
    await cluster.nodes[1]!.stop();
    const nodes = await client.nodes();
    t.deepEqual(
      nodes.map((node) => node.id),
      ['joiner'],
    );
    const hotValues = await Promise.all(hot.map((key) => client.get(key)));
    t.deepEqual(
      hotValues,
      hot.map((key) => writers.acknowledged.get(key) ?? null),
    );
    const sample = Array.from({ length: 500 }, (_, i) => i * 40);
    const preValues = await Promise.all(sample.map((i) => client.get(`pre:${i}`)));
    t.deepEqual(
      preValues.map((value) => value?.split(':')[0]),
      sample.map(String),
    );
    t.is(nodes[0]!.keys, 20_000 + [...writers.acknowledged.values()].filter((value) => value !== null).length);
  });
}

test('the snapshot source killed mid-stream: the join restarts from another peer and converges', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  await preload(client, 60_000);
  const joiner = await cluster.addNode({ id: 'joiner', args: ['--snapshot-chunk-entries', '20', '--snapshot-credit', '1'] });

  // The broker names the source in its log; kill it once some of the snapshot has arrived.
  const sourcePattern = /node joining \{"node":"joiner",.*?"source":"([^"]+)"/;
  await eventually(() => sourcePattern.test(cluster.broker.stderr), 10_000);
  const sourceId = sourcePattern.exec(cluster.broker.stderr)![1]!;
  await eventually(
    async () => {
      const node = (await client.nodes()).find((n) => n.id === joiner.id);
      return (node?.progress?.received ?? 0) > 1000;
    },
    20_000,
    20,
  );
  const progressAtKill = (await client.nodes()).find((n) => n.id === joiner.id)?.progress;
  t.true(progressAtKill !== undefined && progressAtKill.received < progressAtKill.total, 'the kill lands mid-stream');
  cluster.nodes.find((node) => node.id === sourceId)!.kill('SIGKILL');

  await eventually(
    async () => {
      const nodes = await client.nodes();
      return nodes.length === 2 && nodes.every((node) => node.state === 'ready');
    },
    60_000,
    200,
  );
  const verified = await client.verify();
  t.true(verified.ok);
  t.deepEqual(
    verified.nodes.map((node) => node.keys),
    [60_000, 60_000],
  );
  t.regex(joiner.stderr, /join (failed|started)/);
  t.true((joiner.stderr.match(/join started/g) ?? []).length >= 2, 'the join started again');
});

test('a joining node serves no reads: direct reads are refused and brokered reads never reach it', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  await preload(client, 40_000);
  const joiner = await cluster.addNode({ id: 'joiner', args: ['--snapshot-chunk-entries', '20', '--snapshot-credit', '1'] });
  const direct = new Brainer(joiner.endpoint, { timeoutMs: 2000, retry: false });
  t.teardown(() => direct.close());

  let refusals = 0;
  let brokeredReads = 0;
  let joining = true;
  while (joining) {
    const keys = Array.from({ length: 50 }, () => Math.floor(Math.random() * 40_000));
    const values = await Promise.all(keys.map((i) => client.get(`pre:${i}`)));
    brokeredReads += values.length;
    // A joiner that answered would miss keys it has not loaded yet.
    t.deepEqual(
      values.map((value) => value?.split(':')[0]),
      keys.map(String),
    );
    const state = (await client.nodes()).find((node) => node.id === joiner.id)?.state;
    joining = state !== 'ready';
    if (joining) {
      try {
        await direct.get('pre:1');
        // The join can complete between the nodes query and this read; an answer is only
        // allowed from a node that is ready by now.
        const after = (await client.nodes()).find((node) => node.id === joiner.id)?.state;
        t.is(after, 'ready', 'a direct read was answered by a node that is not ready');
      } catch (error) {
        t.true(error instanceof BrainerError);
        if ((error as BrainerError).code === 'ERR_NOT_READY') refusals++;
      }
    }
  }
  t.log(`${brokeredReads} brokered reads and ${refusals} refused direct reads during the join`);
  t.true(refusals > 0, 'direct reads were tried while joining');
  const stats = (await direct.stats()) as { readsWhileNotReady?: number; state?: string };
  t.is(stats.readsWhileNotReady, 0);
  t.is(stats.state, 'ready');
  t.true((await client.verify()).ok);
});

test('an overflowing join buffer restarts the join, which still converges', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  await preload(client, 30_000);
  const hot = Array.from({ length: 100 }, (_, i) => `hot:${i}`);
  const writers = startWriters(client, { keys: hot, writers: 4, wait: 'all' });
  const joiner = await cluster.addNode({
    id: 'joiner',
    args: ['--join-buffer-writes', '50', '--snapshot-chunk-entries', '20', '--snapshot-credit', '1'],
  });
  await eventually(() => /buffer overflow/.test(joiner.stderr), 30_000, 50);
  await writers.stop();
  await eventually(async () => (await client.nodes()).find((node) => node.id === joiner.id)?.state === 'ready', 60_000, 200);
  t.regex(cluster.broker.stderr, /join failed/);
  const verified = await client.verify();
  t.true(verified.ok);
  t.is(verified.nodes.length, 3);
  const values = await Promise.all(hot.map((key) => client.get(key)));
  t.deepEqual(
    values,
    hot.map((key) => (writers.uncertain.has(key) ? values[hot.indexOf(key)] : (writers.acknowledged.get(key) ?? null))),
  );
});
