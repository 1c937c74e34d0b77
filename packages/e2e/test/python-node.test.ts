import { execFile } from 'node:child_process';
import test from 'ava';
import { Brainer, RemoteError } from '@brainer/client';
import { ConsistentHashRing } from '@brainer/protocol';
import { startBroker, startCluster } from '@brainer/test-utils';
import {
  PYTHON,
  PYTHON_NODE_DIR,
  allReady,
  eventually,
  isReady,
  pythonNodeMissing,
  startPythonNode,
  startWriters,
  writable,
} from '../src/index.js';

// The Python node needs Debian's python3 and python3-zmq; without them these tests skip and say why.
const missing = await pythonNodeMissing();
const pythonTest = missing === undefined ? test : test.skip;
const because = missing === undefined ? '' : ` [skipped: ${missing}]`;

pythonTest(`the Python node's parts match the reference values of PROTOCOL.md${because}`, async (t) => {
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(PYTHON, ['-m', 'unittest', 'test_parts'], { cwd: PYTHON_NODE_DIR }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  t.is(code, 0, output);
  t.regex(output, /OK/);
});

pythonTest(`a Python node joins a cluster of TypeScript nodes under writes, verify passes and it serves reads${because}`, async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  const preloaded = Array.from({ length: 2000 }, (_, i) => `pre:${i}`);
  await Promise.all(preloaded.map((key, i) => client.set(key, `value-${i}`, i % 10 === 0 ? { ttlMs: 600_000 } : {})));
  await Promise.all(preloaded.slice(0, 100).map((key) => client.del(key)));
  const hot = Array.from({ length: 200 }, (_, i) => `hot:${i}`);
  const writers = startWriters(client, { keys: hot, writers: 4, wait: 'all' });
  await eventually(() => writers.operations > 200, 10_000);

  const python = await startPythonNode(cluster.endpoint, { id: 'py1' });
  t.teardown(() => python.stop());
  await eventually(() => isReady(client, 'py1'), 20_000, 100);
  const atReady = writers.operations;
  await eventually(() => writers.operations > atReady + 300, 10_000);
  await writers.stop();
  t.is(writers.failures, 0);

  const verified = await client.verify();
  t.true(verified.ok, JSON.stringify(verified.nodes));
  t.deepEqual(verified.nodes.map((node) => node.id).sort(), ['node1', 'node2', 'py1']);

  // The keys whose primary is the Python node: the broker sends their reads there, and so does a
  // client that reads from primaries directly (the default, `reads: 'direct'`).
  const expected = new Map<string, string | null>(preloaded.map((key, i) => [key, i < 100 ? null : `value-${i}`]));
  for (const [key, value] of writers.acknowledged) expected.set(key, value);
  const ring = new ConsistentHashRing(['node1', 'node2', 'py1']);
  const onPython = [...expected.keys()].filter((key) => ring.primary(key) === 'py1');
  t.true(onPython.length > 300, `${onPython.length} keys on the Python node`);
  const direct = Brainer.direct(python.endpoint, { timeoutMs: 5000 });
  t.teardown(() => direct.close());
  const brokered = await cluster.client({ timeoutMs: 10_000, reads: 'broker' });
  for (const reader of [brokered, client]) {
    const servedBefore = (await direct.stats()).readsServed as number;
    const values = await Promise.all(onPython.map((key) => reader.get(key)));
    t.deepEqual(
      values,
      onPython.map((key) => expected.get(key)),
    );
    const served = ((await direct.stats()).readsServed as number) - servedBefore;
    t.true(served >= onPython.length, `the Python node served ${served} of ${onPython.length} reads`);
  }

  // Direct reads from the Python node, under its lease; a direct write is refused.
  t.deepEqual(
    await Promise.all(onPython.slice(0, 50).map((key) => direct.get(key))),
    onPython.slice(0, 50).map((key) => expected.get(key)),
  );
  t.deepEqual((await direct.keys('pre:19?')).sort(), [
    'pre:190',
    'pre:191',
    'pre:192',
    'pre:193',
    'pre:194',
    'pre:195',
    'pre:196',
    'pre:197',
    'pre:198',
    'pre:199',
  ]);
  // A scan answers the same page from the Python node as from a TypeScript one: key order is UTF-8 byte order.
  const page = ['pre:1000', 'pre:1001', 'pre:1002', 'pre:1003'];
  t.deepEqual(await direct.scan('pre:100*', { after: 'pre:100', count: 4 }), page);
  const typescriptNode = Brainer.direct(cluster.nodes[0]!.endpoint, { timeoutMs: 5000 });
  t.teardown(() => typescriptNode.close());
  t.deepEqual(await typescriptNode.scan('pre:100*', { after: 'pre:100', count: 4 }), page);
  const refused = await t.throwsAsync(direct.set('k', 'v'));
  t.true(refused instanceof RemoteError);
  t.is((refused as RemoteError).code, 'ERR_WRONG_ROLE');

  // An expire and a flush apply on the Python node as on the others, and it answers ttl.
  const key = onPython.find((candidate) => expected.get(candidate) !== null)!;
  t.true(await client.expire(key, 600_000));
  const left = await direct.pttl(key);
  t.true(left > 590_000 && left <= 600_000, String(left));
  t.is(await direct.pttl('never-set'), -2);
  await client.flushall();
  t.is((await direct.keys('*')).length, 0);
  await client.set('after-flush', 'v');
  t.is(await direct.ttl('after-flush'), -1);
  t.true((await client.verify()).ok);
});

pythonTest(`the Python node is a snapshot source, and keeps its data across a broker restart${because}`, async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  const python = await startPythonNode(cluster.endpoint, { id: 'py1' });
  t.teardown(() => python.stop());
  await eventually(() => isReady(client, 'py1'), 20_000, 100);
  const keys = Array.from({ length: 3000 }, (_, i) => `k${i}`);
  await Promise.all(keys.map((key) => client.set(key, `v-${key}`)));

  // Alone in the cluster, the Python node is the only possible source for the next joiner.
  await cluster.nodes[0]!.stop();
  await eventually(async () => (await client.nodes()).length === 1, 10_000);
  const joiner = await cluster.addNode({ id: 'joiner', args: ['--snapshot-chunk-entries', '100'] });
  await eventually(() => isReady(client, joiner.id), 20_000, 100);
  t.regex(cluster.broker.stderr, /node joining \{"node":"joiner",.*?"source":"py1"/);
  const joined = await client.verify();
  t.true(joined.ok, JSON.stringify(joined.nodes));
  t.is(joined.nodes.length, 2);

  // A new broker seeds its epoch from what the nodes report, the Python node's (epoch, seq, digest) included.
  cluster.broker.kill('SIGKILL');
  await cluster.broker.exited;
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  await eventually(() => allReady(client, 2), 15_000, 100);
  t.regex(broker.stderr, /epoch started/);
  t.notRegex(broker.stderr, /node joining/, 'both nodes held the same data, so neither had to join again');
  t.deepEqual(
    await Promise.all(keys.map((key) => client.get(key))),
    keys.map((key) => `v-${key}`),
  );
  await eventually(() => writable(client, 'after'), 5000);
  const after = await client.verify();
  t.true(after.ok, JSON.stringify(after.nodes));
  t.is(after.nodes.length, 2);
});
