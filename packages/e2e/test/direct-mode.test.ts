import test from 'ava';
import { Brainer, RemoteError } from '@brainer/client';
import { startCluster, startStandaloneNode } from '@brainer/test-utils';
import { assertBasicOps, eventually } from '../src/index.js';

test('a standalone node serves set, get, del, keys and TTLs to Brainer.direct, with no broker', async (t) => {
  const node = await startStandaloneNode({ id: 'solo', args: ['--max-value-bytes', '1024'] });
  t.teardown(() => node.stop());
  t.true(node.readyLine.standalone);
  t.is(node.readyLine.broker, undefined);
  const client = Brainer.direct(node.endpoint, { timeoutMs: 5000 });
  t.teardown(() => client.close());
  await client.connect();

  await assertBasicOps(t, client);

  // Calls made together travel in one frame and are answered in order: a read sees the write before it.
  const [, afterSet, , afterDel] = await Promise.all([client.set('k', 'v1'), client.get('k'), client.del('k'), client.get('k')]);
  t.is(afterSet, 'v1');
  t.is(afterDel, null);
  await Promise.all(Array.from({ length: 500 }, (_, i) => client.set(`bulk:${i}`, `v${i}`)));
  t.deepEqual(
    await Promise.all(Array.from({ length: 500 }, (_, i) => client.get(`bulk:${i}`))),
    Array.from({ length: 500 }, (_, i) => `v${i}`),
  );

  await client.set('session', 'short', { ttlMs: 300 });
  await client.set('forever', 'kept', { ttlMs: 300 });
  await client.set('forever', 'kept');
  t.is(await client.get('session'), 'short');
  // The expiry is a delete, not just a hidden key: the store stops counting it.
  await eventually(async () => (await client.stats()).keys === 2 + 500 + 1, 5000);
  t.is(await client.get('session'), null);
  t.is(await client.get('forever'), 'kept', 'a later write without a TTL cancels the expiry');
  t.is((await client.stats()).standalone, true);

  // The cluster of one: nodes and verify work too.
  const nodes = await client.nodes();
  t.deepEqual(
    nodes.map((n) => [n.id, n.state, n.keys]),
    [['solo', 'ready', 503]],
  );
  t.true((await client.verify()).ok);

  // Bad input gets the broker's error codes.
  for (const [call, code] of [
    [() => client.set('', 'v'), 'ERR_BAD_KEY'],
    [() => client.set('big', Buffer.alloc(2048)), 'ERR_VALUE_TOO_LARGE'],
    [() => client.keys('[z-a]'), 'ERR_BAD_PATTERN'],
  ] as const) {
    const error = await t.throwsAsync(call());
    t.is((error as RemoteError).code, code);
  }
});

test('in a cluster, Brainer.direct reads from a node under its lease, and a direct write is refused with ERR_WRONG_ROLE', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await Promise.all(Array.from({ length: 100 }, (_, i) => client.set(`k${i}`, `v${i}`)));

  for (const node of cluster.nodes) {
    const direct = Brainer.direct(node.endpoint, { timeoutMs: 5000 });
    t.teardown(() => direct.close());
    await direct.connect();
    t.deepEqual(
      await Promise.all(Array.from({ length: 100 }, (_, i) => direct.get(`k${i}`))),
      Array.from({ length: 100 }, (_, i) => `v${i}`),
    );
    t.is((await direct.keys('k*')).length, 100);
    for (const write of [() => direct.set('k0', 'bypass'), () => direct.del('k1')]) {
      const error = await t.throwsAsync(write());
      t.true(error instanceof RemoteError);
      t.is((error as RemoteError).code, 'ERR_WRONG_ROLE');
      t.regex(error!.message, /send it to the broker, which sequences writes/);
    }
  }
  // Nothing was written around the sequence.
  t.is(await client.get('k0'), 'v0');
  t.is(await client.get('k1'), 'v1');
  t.true((await client.verify()).ok);
});
