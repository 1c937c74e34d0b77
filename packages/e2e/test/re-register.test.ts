import test from 'ava';
import { decode, encode, type Message, type MessageOf } from '@brainer/protocol';
import { startCluster, waitFor } from '@brainer/test-utils';
import { RawPeer } from '../src/index.js';

/** The next message of that type the peer receives. */
async function next<T extends Message['type']>(peer: RawPeer, type: T): Promise<MessageOf<T>> {
  for (;;) {
    const message = decode((await peer.receive())[0]!);
    if (message.type === type) return message as MessageOf<T>;
  }
}

function register(nodeId: string): Message {
  return {
    type: 'register',
    nodeId,
    incarnation: 'raw-peer',
    endpoint: 'tcp://127.0.0.1:1',
    epoch: 0,
    seq: 0,
    keys: 0,
    digest: '0000000000000000',
  };
}

test("a register that names another node's id from the connection of a ready node drops both records: writes do not wait for the old one", async (t) => {
  const cluster = await startCluster({ nodes: 1, heartbeatMs: 100 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  const peer = new RawPeer(cluster.endpoint);
  t.teardown(() => peer.close());

  // The peer joins as fake-1 and claims to have caught up, so the broker holds it ready.
  await peer.send(encode(register('fake-1')));
  const welcome = await next(peer, 'welcome');
  await peer.send(encode({ type: 'caught-up', joinId: welcome.joinId, seq: welcome.seq }));
  await waitFor(async () => (await client.stats()).ready === 2, { description: 'fake-1 ready' });

  // From the same connection, it registers again under the real node's id.
  await peer.send(encode(register('node1')));
  // The peer sends no heartbeats, so whatever it registered is dropped within the liveness window;
  // then writes complete on the real node, which joins again.
  await waitFor(async () => (await client.nodes()).some((node) => node.id === 'node1' && node.state === 'ready'), {
    timeoutMs: 20_000,
    description: 'node1 ready again',
  });
  await client.set('after', 'ok');
  t.is(await client.get('after'), 'ok');
  const stats = await client.stats();
  t.is(stats.ready, 1);
  t.is(stats.nodes, 1);
});
