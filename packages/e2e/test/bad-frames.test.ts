import test from 'ava';
import { decode, encode, MESSAGE_TYPES, OP_CODES, type Message } from '@brainer/protocol';
import { startCluster } from '@brainer/test-utils';
import { RawPeer } from '../src/index.js';

async function exchange(peer: RawPeer, frames: Buffer | Buffer[]): Promise<Message> {
  await peer.send(frames);
  const reply = await peer.receive();
  return decode(reply[0]!);
}

test('the broker answers malformed frames with codes and keeps serving', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await client.set('keep', 'me');
  const digest = (await client.nodes())[0]!.digest;
  const peer = new RawPeer(cluster.endpoint);
  t.teardown(() => peer.close());

  t.like(await exchange(peer, Buffer.from([9, 1, 0, 0, 0, 0])), { type: 'error', code: 'ERR_BAD_VERSION' });
  t.like(await exchange(peer, Buffer.from([1, 200])), { type: 'error', code: 'ERR_UNKNOWN_MESSAGE' });
  t.like(await exchange(peer, Buffer.from([1])), { type: 'error', code: 'ERR_MALFORMED' });
  t.like(await exchange(peer, [Buffer.from([1, 1]), Buffer.from([0])]), { type: 'error', code: 'ERR_MALFORMED' });

  const unknownOp = Buffer.from([1, MESSAGE_TYPES.request, 1, 0, 0, 0, 7, 0, 0, 0, 99]);
  t.like(await exchange(peer, unknownOp), { type: 'reply', replies: [{ id: 7, ok: false, code: 'ERR_UNKNOWN_OP' }] });

  const truncatedSet = encode({
    type: 'request',
    ops: [{ op: 'set', id: 5, key: 'keep', value: Buffer.from('evil'), ttlMs: 0, wait: 'all' }],
  });
  t.like(await exchange(peer, truncatedSet.subarray(0, truncatedSet.length - 3)), {
    type: 'reply',
    replies: [{ id: 5, ok: false, code: 'ERR_MALFORMED' }],
  });

  const invalidKey = Buffer.concat([
    Buffer.from([1, MESSAGE_TYPES.request, 1, 0, 0, 0, 3, 0, 0, 0, OP_CODES.get, 2, 0, 0, 0]),
    Buffer.from([0xff, 0xfe]),
  ]);
  t.like(await exchange(peer, invalidKey), { type: 'reply', replies: [{ id: 3, ok: false, code: 'ERR_BAD_KEY' }] });

  t.like(await exchange(peer, encode({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 0, writes: [{ kind: 'del', key: 'keep' }] })), {
    type: 'error',
    code: 'ERR_WRONG_ROLE',
  });
  t.like(await exchange(peer, encode({ type: 'ack', epoch: 1, seq: 99, removed: [] })), { type: 'error', code: 'ERR_UNKNOWN_NODE' });
  t.like(await exchange(peer, encode({ type: 'snapshot-chunk', joinId: 1, sentAt: 0, entries: [] })), {
    type: 'error',
    code: 'ERR_WRONG_ROLE',
  });

  t.is(await client.get('keep'), 'me');
  t.is((await client.nodes())[0]!.digest, digest);
});

test('a node answers malformed frames and write attempts on its own endpoint with codes', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await client.set('keep', 'me');
  const peer = new RawPeer(cluster.nodes[0]!.endpoint);
  t.teardown(() => peer.close());

  t.like(await exchange(peer, Buffer.from([2, 1])), { type: 'error', code: 'ERR_BAD_VERSION' });
  t.like(
    await exchange(
      peer,
      encode({ type: 'request', ops: [{ op: 'set', id: 1, key: 'keep', value: Buffer.from('x'), ttlMs: 0, wait: 'all' }] }),
    ),
    {
      type: 'reply',
      replies: [{ id: 1, ok: false, code: 'ERR_WRONG_ROLE' }],
    },
  );
  t.like(await exchange(peer, encode({ type: 'ack', epoch: 1, seq: 1, removed: [] })), { type: 'error', code: 'ERR_WRONG_ROLE' });
  t.like(await exchange(peer, encode({ type: 'request', ops: [{ op: 'get', id: 2, key: 'k'.repeat(64 * 1024 + 1) }] })), {
    type: 'reply',
    replies: [{ id: 2, ok: false, code: 'ERR_KEY_TOO_LARGE' }],
  });
  t.is(await client.get('keep'), 'me');
});
