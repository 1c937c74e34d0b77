import test from 'ava';
import { Brainer, BrainerError } from '@brainer/client';
import { ConsistentHashRing } from '@brainer/protocol';
import { startCluster } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

async function brokerReads(client: Brainer): Promise<number> {
  return (await client.stats()).readsRouted as number;
}

async function nodeDirectRequests(endpoint: string): Promise<number> {
  const node = new Brainer(endpoint, { reads: 'broker', retry: false });
  try {
    return (await node.stats()).directRequests as number;
  } finally {
    await node.close();
  }
}

test('direct reads see every acknowledged write, in both wait modes, and never pass through the broker', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const writer = await cluster.client({ timeoutMs: 10_000 });
  const reader = await cluster.client({ timeoutMs: 10_000 });
  // connect() sends the watch with its ping, and the broker pushes the ready nodes before it
  // answers: from here on the reader knows where to read.
  const before = await brokerReads(writer);
  const directBefore = await Promise.all(cluster.nodes.map((node) => nodeDirectRequests(node.endpoint)));

  for (let round = 0; round < 200; round++) {
    const key = `k${round % 40}`;
    const wait = round % 2 === 0 ? 'all' : 'primary';
    await writer.set(key, `v${round}`, { wait });
    // Read by another client straight after the acknowledgement: with wait=all any node has it, and
    // with wait=primary the primary does, which is where a direct read goes.
    t.is(await reader.get(key), `v${round}`, `round ${round} (wait=${wait})`);
    if (round % 10 === 9) {
      await writer.del(key, { wait });
      t.is(await reader.get(key), null, `deleted in round ${round}`);
    }
  }
  const directAfter = await Promise.all(cluster.nodes.map((node) => nodeDirectRequests(node.endpoint)));
  t.is((await brokerReads(writer)) - before, 0, 'no read went through the broker');
  // Each node is the primary of some of the 40 keys, so each served some of the reads.
  for (const [i, after] of directAfter.entries()) t.true(after - directBefore[i]! > 10, `node${i + 1} served direct reads`);
});

test("readFrom 'any-node': every read of a client goes to one node, whatever the key, and sees every wait=all write", async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const writer = await cluster.client({ timeoutMs: 10_000 });
  const reader = await cluster.client({ timeoutMs: 10_000, readFrom: 'any-node' });
  const before = await brokerReads(writer);
  const directBefore = await Promise.all(cluster.nodes.map((node) => nodeDirectRequests(node.endpoint)));
  for (let round = 0; round < 120; round++) {
    const key = `k${round % 40}`;
    await writer.set(key, `v${round}`, { wait: 'all' });
    t.is(await reader.get(key), `v${round}`, `round ${round}`);
  }
  const served = (await Promise.all(cluster.nodes.map((node) => nodeDirectRequests(node.endpoint)))).map(
    (after, i) => after - directBefore[i]!,
  );
  t.is((await brokerReads(writer)) - before, 0, 'no read went through the broker');
  t.is(served.filter((count) => count >= 120).length, 1, `one node served all 120 reads: ${served.join(', ')}`);
  t.is(served.filter((count) => count > 5).length, 1, `the others served none (but watch pings): ${served.join(', ')}`);

  const own = cluster.nodes[served.findIndex((count) => count >= 120)]!;
  await own.stop();
  // The client moves on down each key's preference list, then to a node of its own among those left.
  for (let round = 0; round < 20; round++) t.is(await reader.get(`k${round}`), `v${80 + round}`);
});

test('readFrom is checked: anything but primary or any-node is ERR_INVALID_OPTION', (t) => {
  t.throws(() => new Brainer('tcp://127.0.0.1:1', { readFrom: 'nearest' as 'primary' }), { code: 'ERR_INVALID_OPTION' });
});

test('reads: broker sends every read through the broker', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ reads: 'broker' });
  await client.set('k', 'v');
  const before = await brokerReads(client);
  for (let i = 0; i < 20; i++) t.is(await client.get('k'), 'v');
  t.is((await brokerReads(client)) - before, 20);
});

test('a SIGSTOPped primary, resumed after the broker dropped it, serves no stale direct read', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const writer = await cluster.client({ timeoutMs: 15_000 });
  const reader = await cluster.client({ timeoutMs: 15_000, directReadTimeoutMs: 300 });
  const key = 'overwritten';
  await writer.set(key, 'old');
  const ring = new ConsistentHashRing((await writer.nodes()).map((node) => node.id));
  const primary = cluster.nodes.find((node) => node.id === ring.primary(key))!;
  await eventually(async () => (await reader.get(key)) === 'old', 5000);

  // Read the key over and over, by the smart client and straight from the primary, throughout.
  const seen: { by: string; value: string; afterNew: boolean }[] = [];
  let newAcknowledged = false;
  let reading = true;
  const straight = new Brainer(primary.endpoint, { reads: 'broker', retry: false, timeoutMs: 300 });
  t.teardown(() => straight.close());
  const loop = async (by: string, client: Brainer): Promise<void> => {
    while (reading) {
      const afterNew = newAcknowledged;
      try {
        seen.push({ by, value: String(await client.get(key)), afterNew });
      } catch (error) {
        seen.push({ by, value: (error as BrainerError).code, afterNew });
      }
    }
  };
  const loops = Promise.all([loop('client', reader), loop('primary', straight)]);

  primary.kill('SIGSTOP');
  t.teardown(() => primary.kill('SIGCONT'));
  await writer.set(key, 'new');
  newAcknowledged = true;
  await eventually(async () => !(await writer.nodes()).some((node) => node.id === primary.id), 10_000);
  primary.kill('SIGCONT');
  await eventually(async () => (await writer.nodes()).some((node) => node.id === primary.id && node.state === 'ready'), 20_000);
  await eventually(() => seen.some((read) => read.by === 'primary' && read.value === 'new'), 5000);
  reading = false;
  await loops;

  const stale = seen.filter((read) => read.afterNew && read.value === 'old');
  t.deepEqual(stale, [], 'no read after the overwrite was acknowledged returned the old value');
  // The resumed primary either refused (no lease, not ready) or, once it had caught up again, served
  // the new value; which of the two a read met depends on how fast it caught up.
  const fromPrimaryAfter = seen.filter((read) => read.by === 'primary' && read.afterNew);
  const refused = fromPrimaryAfter.filter((read) => read.value === 'ERR_NO_LEASE' || read.value === 'ERR_NOT_READY').length;
  t.log(`reads straight from the primary after the overwrite: ${fromPrimaryAfter.length}, ${refused} refused`);
  t.true(
    fromPrimaryAfter.some((read) => read.value === 'new'),
    'the primary serves the new value once it is back',
  );
  t.true(
    seen.some((read) => read.by === 'client' && read.afterNew && read.value === 'new'),
    'the smart client moved on to a node that has the new value',
  );
  t.true((await writer.verify()).ok);
});
