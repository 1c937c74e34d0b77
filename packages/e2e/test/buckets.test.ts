import test from 'ava';
import { Brainer, RemoteError } from '@brainer/client';
import { bucketPrefix, createPartitioner, decode, encode, type PartitionerName } from '@brainer/protocol';
import { startCluster } from '@brainer/test-utils';
import { RawPeer, readsServed } from '../src/index.js';

test("Grex's customer bucket: items set one by one come back all at once, in one read served by the bucket's primary", async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const customer = client.bucket('customer:42');
  await customer.set('contacts', '{"email":"ada@example.com","phone":"+46 8 123 456"}');
  await customer.set('orders', '["o-1001","o-1002"]');
  await customer.set('favourites', '["tea","books"]');
  // Keys that are not items of this bucket, though some share its primary.
  await client.bucket('customer:7').set('orders', '[]');
  await client.set('customer:42', 'a plain key');
  await client.set('x{customer:42}orders', 'tagged, but not with the prefix');
  await client.set('{customer:420}orders', 'another bucket');

  const routedBefore = (await client.stats()).readsRouted as number;
  const before = await readsServed(cluster);
  const items = await customer.getAll();
  const after = await readsServed(cluster);
  t.is((await client.stats()).readsRouted, routedBefore, 'with direct reads, the bucket is read straight from its primary');
  t.deepEqual(
    new Map([...items].sort()),
    new Map([
      ['contacts', '{"email":"ada@example.com","phone":"+46 8 123 456"}'],
      ['favourites', '["tea","books"]'],
      ['orders', '["o-1001","o-1002"]'],
    ]),
  );
  const partitioner = createPartitioner(
    (await client.stats()).partitioner as PartitionerName,
    cluster.nodes.map((node) => node.id),
  );
  const primary = partitioner.primary(bucketPrefix('customer:42'));
  for (const node of cluster.nodes) {
    t.is(after.get(node.id)! - before.get(node.id)!, node.id === primary ? 1 : 0, `reads served by ${node.id}`);
  }

  t.is(await customer.get('orders'), '["o-1001","o-1002"]');
  t.is(await client.get('{customer:42}orders'), '["o-1001","o-1002"]', 'an item is the key {bucket}item');
  t.true(await customer.del('favourites'));
  t.false(await customer.del('favourites'));
  t.deepEqual([...(await customer.getAll()).keys()].sort(), ['contacts', 'orders']);
  t.is((await client.bucket('customer:nobody').getAll()).size, 0);
  t.true((await client.verify()).ok);

  const viaBroker = await cluster.client({ reads: 'broker' });
  const routed = (await client.stats()).readsRouted as number;
  t.deepEqual([...(await viaBroker.bucket('customer:42').getAll()).keys()].sort(), ['contacts', 'orders']);
  t.is((await client.stats()).readsRouted, routed + 1, "reads: 'broker' reads the bucket through the broker");
});

test('a bucket holds binary values and non-ASCII names, and a client reading from a node directly gets the same items', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const bucket = client.bucket('клиент {7');
  await bucket.set('фото', Buffer.from([0, 1, 0xff]));
  await bucket.set('', 'the item with the empty name');
  const expected = new Map([
    ['фото', Buffer.from([0, 1, 0xff])],
    ['', Buffer.from('the item with the empty name')],
  ]);
  t.deepEqual(new Map([...(await bucket.getAllBuffers())].sort()), new Map([...expected].sort()));
  for (const node of cluster.nodes) {
    const direct = new Brainer(node.endpoint, { reads: 'broker', timeoutMs: 5000 });
    t.teardown(() => direct.close());
    t.deepEqual(new Map([...(await direct.bucket('клиент {7').getAllBuffers())].sort()), new Map([...expected].sort()));
  }
});

test('a bucket bigger than the reply cap gets ERR_REPLY_TOO_LARGE, and its items still read one by one', async (t) => {
  const cluster = await startCluster({ nodes: 2, nodeArgs: ['--max-reply-bytes', '1000'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const small = client.bucket('small');
  await small.set('a', 'x'.repeat(400));
  await small.set('b', 'y'.repeat(400));
  t.is((await small.getAll()).size, 2, '816 bytes fit under 1000');
  const big = client.bucket('big');
  for (const item of ['a', 'b', 'c']) await big.set(item, item.repeat(400));
  const routed = (await client.stats()).readsRouted as number;
  const before = await readsServed(cluster);
  const error = await t.throwsAsync(big.getAll(), { instanceOf: RemoteError });
  t.is(error!.code, 'ERR_REPLY_TOO_LARGE');
  t.regex(error!.message, /bucket "big" holds more than 1000 bytes/);
  // Every node would answer the same: the primary's answer is final, asked of no other node nor the broker.
  const after = await readsServed(cluster);
  t.is((await client.stats()).readsRouted, routed);
  t.is(
    cluster.nodes.reduce((sum, node) => sum + after.get(node.id)! - before.get(node.id)!, 0),
    1,
  );
  t.is(await big.get('c'), 'c'.repeat(400));
});

test('bad bucket names get ERR_BAD_KEY from the client and from the broker, and a huge one ERR_KEY_TOO_LARGE', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  t.throws(() => client.bucket(''), { code: 'ERR_BAD_KEY' });
  t.throws(() => client.bucket('a}b'), { code: 'ERR_BAD_KEY', message: /must not hold "}"/ });

  const peer = new RawPeer(cluster.endpoint);
  t.teardown(() => peer.close());
  await peer.send(
    encode({
      type: 'request',
      ops: [
        { op: 'bucket', id: 1, bucket: '' },
        { op: 'bucket', id: 2, bucket: 'a}b' },
        { op: 'bucket', id: 3, bucket: 'b'.repeat(70_000) },
        { op: 'bucket', id: 4, bucket: 'fine' },
      ],
    }),
  );
  const answers = new Map<number, string>();
  while (answers.size < 4) {
    const [frame] = await peer.receive();
    const message = decode(frame!);
    if (message.type !== 'reply') continue;
    for (const reply of message.replies) answers.set(reply.id, reply.ok ? 'ok' : reply.code);
  }
  t.deepEqual(
    [...answers].sort(([a], [b]) => a - b),
    [
      [1, 'ERR_BAD_KEY'],
      [2, 'ERR_BAD_KEY'],
      [3, 'ERR_KEY_TOO_LARGE'],
      [4, 'ok'],
    ],
  );
});
