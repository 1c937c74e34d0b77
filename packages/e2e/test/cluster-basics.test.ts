import test from 'ava';
import { BrainerError, RemoteError } from '@brainer/client';
import { startCluster } from '@brainer/test-utils';
import { assertBasicOps, callRaw, eventually, RawPeer, setOp } from '../src/index.js';

test('set, get, del and keys work against a broker and three real nodes, and every node ends equal', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();

  await assertBasicOps(t, client);

  const writes = Array.from({ length: 500 }, (_, i) => client.set(`k${i}`, `v${i}`));
  await Promise.all(writes);
  const values = await Promise.all(Array.from({ length: 500 }, (_, i) => client.get(`k${i}`)));
  t.deepEqual(
    values,
    Array.from({ length: 500 }, (_, i) => `v${i}`),
  );

  const nodes = await client.nodes();
  t.is(nodes.length, 3);
  for (const node of nodes) {
    t.is(node.state, 'ready');
    t.is(node.keys, 502);
    t.is(node.digest, nodes[0]!.digest);
    t.is(node.seq, nodes[0]!.seq);
  }
  t.not(nodes[0]!.digest, '0000000000000000');
});

test('both wait modes acknowledge writes that read back at once', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  for (let i = 0; i < 200; i++) {
    const wait = i % 2 === 0 ? 'all' : 'primary';
    await client.set(`w${i}`, `value-${i}`, { wait });
    t.is(await client.get(`w${i}`), `value-${i}`, `read-your-write in ${wait} mode`);
  }
  t.true(await client.del('w1', { wait: 'primary' }));
  t.is(await client.get('w1'), null);
  const result = await client.verify();
  t.true(result.ok, JSON.stringify(result.nodes));
});

test('a key with a TTL is readable until it expires, then deleted on every node', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const setAt = performance.now();
  await client.set('short', 'lived', { ttlMs: 1500 });
  await client.set('long', 'lived', { ttlMs: 60_000 });
  await client.set('forever', 'lived');
  const early = await client.get('short');
  if (performance.now() - setAt < 1400) t.is(early, 'lived');
  await eventually(async () => (await client.get('short')) === null, 5000);
  // The broker replicates the expiry as a delete: the key leaves every node's content.
  await eventually(async () => (await client.nodes()).every((node) => node.keys === 2), 5000);
  t.is(await client.get('long'), 'lived');
  t.deepEqual((await client.keys()).sort(), ['forever', 'long']);
  t.true((await client.verify()).ok);
  // A later write without a TTL clears the old one.
  await client.set('renewed', 'x', { ttlMs: 300 });
  await client.set('renewed', 'y');
  await new Promise((resolve) => setTimeout(resolve, 900));
  t.is(await client.get('renewed'), 'y');
});

test('bad requests get coded errors and touch nothing', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await client.set('keep', 'me');
  const digest = (await client.nodes())[0]!.digest;

  const tooLongKey = 'k'.repeat(64 * 1024 + 1);
  const keyError = await t.throwsAsync(client.set(tooLongKey, 'v'), { instanceOf: RemoteError });
  t.is(keyError?.code, 'ERR_KEY_TOO_LARGE');
  const valueError = await t.throwsAsync(client.set('big', Buffer.alloc(16 * 1024 * 1024 + 1)), { instanceOf: RemoteError });
  t.is(valueError?.code, 'ERR_VALUE_TOO_LARGE');
  // The client refuses an empty key itself; the broker must refuse one sent past the client too.
  const emptyKeyHere = await t.throwsAsync(client.set('', 'v'), { instanceOf: BrainerError });
  t.is(emptyKeyHere?.code, 'ERR_BAD_KEY');
  t.false(emptyKeyHere instanceof RemoteError, 'refused before it was sent');
  const peer = new RawPeer(cluster.endpoint);
  t.teardown(() => peer.close());
  t.like(await callRaw(peer, setOp(7, '', 'v')), { type: 'reply', replies: [{ id: 7, ok: false, code: 'ERR_BAD_KEY' }] });
  const badPattern = await t.throwsAsync(client.keys('[z-a]'), { instanceOf: RemoteError });
  t.is(badPattern?.code, 'ERR_BAD_PATTERN');
  t.deepEqual(await client.keys('a-*'), []);

  t.is(await client.get('keep'), 'me');
  t.is((await client.nodes())[0]!.digest, digest);
});
