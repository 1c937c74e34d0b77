import test from 'ava';
import { startCluster } from '@brainer/test-utils';
import { callRaw as call, RawPeer, setOp as set } from '../src/index.js';

test('a retried write, even after a reconnect, is applied once and answered with its first outcome', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const identity = 'c-retry-test-0001';
  const first = new RawPeer(cluster.endpoint, identity);
  t.teardown(() => first.close());

  t.like(await call(first, set(1, 'k', 'v1')), { type: 'reply', replies: [{ id: 1, ok: true }] });
  t.like(await call(first, set(2, 'k', 'v2')), { type: 'reply', replies: [{ id: 2, ok: true }] });
  t.like(await call(first, { op: 'del', id: 3, key: 'gone', wait: 'all' }), { type: 'reply', replies: [{ id: 3, ok: true, value: 0 }] });
  await client.set('gone', 'back');
  const seqBefore = (await client.nodes())[0]!.seq;

  // The same client reconnects (same identity) and retries op 1: the broker must not apply it again.
  first.close();
  const again = new RawPeer(cluster.endpoint, identity);
  t.teardown(() => again.close());
  t.like(await call(again, set(1, 'k', 'v1')), { type: 'reply', replies: [{ id: 1, ok: true }] });
  t.like(await call(again, { op: 'del', id: 3, key: 'gone', wait: 'all' }), { type: 'reply', replies: [{ id: 3, ok: true, value: 0 }] });
  t.is(await client.get('k'), 'v2', 'the retry did not roll k back');
  t.is(await client.get('gone'), 'back', 'the retried delete did not run again');
  const nodes = await client.nodes();
  t.true(
    nodes.every((node) => node.seq === seqBefore),
    'no write was sequenced for the retries',
  );

  // A different client using the same op ids is a different write.
  const other = new RawPeer(cluster.endpoint, 'c-retry-test-0002');
  t.teardown(() => other.close());
  t.like(await call(other, set(1, 'k', 'v3')), { type: 'reply', replies: [{ id: 1, ok: true }] });
  t.is(await client.get('k'), 'v3');
});

test('the client retries by itself across a broker restart', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 20_000 });
  await client.set('before', 'restart');
  cluster.broker.kill('SIGKILL');
  await cluster.broker.exited;
  const { startBroker } = await import('@brainer/test-utils');
  const pendingWrite = client.set('during', 'restart');
  const pendingRead = client.get('before');
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  await pendingWrite;
  t.is(await pendingRead, 'restart');
  t.is(await client.get('during'), 'restart');
});

test('a write retried after a broker restart is recognised from the nodes and not applied again', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 20_000 });
  const identity = 'c-retry-test-0003';
  const peer = new RawPeer(cluster.endpoint, identity);
  t.teardown(() => peer.close());
  t.like(await call(peer, set(41, 'k', 'first')), { type: 'reply', replies: [{ id: 41, ok: true }] });
  t.like(await call(peer, { op: 'del', id: 42, key: 'doomed', wait: 'all' }), { type: 'reply', replies: [{ id: 42, ok: true, value: 0 }] });

  cluster.broker.kill('SIGKILL');
  await cluster.broker.exited;
  const { startBroker } = await import('@brainer/test-utils');
  const broker = await startBroker({ endpoint: cluster.endpoint });
  t.teardown(() => broker.stop());
  // Another client overwrites k once the new broker serves.
  await client.set('k', 'second');
  await client.set('doomed', 'alive');
  const seqBefore = (await client.nodes())[0]!.seq;

  // The first client retries its old writes with the same ids, as it would after a lost answer.
  const again = new RawPeer(cluster.endpoint, identity);
  t.teardown(() => again.close());
  t.like(await call(again, set(41, 'k', 'first')), { type: 'reply', replies: [{ id: 41, ok: true }] });
  t.like(await call(again, { op: 'del', id: 42, key: 'doomed', wait: 'all' }), {
    type: 'reply',
    replies: [{ id: 42, ok: true, value: 0 }],
  });
  t.is(await client.get('k'), 'second');
  t.is(await client.get('doomed'), 'alive');
  t.true((await client.nodes()).every((node) => node.seq === seqBefore));
});
