import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Brainer } from '@brainer/client';
import { startCluster } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

const TTL_MS = 3000;
const PAUSE_MS = 2000;

// A chaos run found a TTL key served past its expiry: its set had waited in a paused node's socket,
// and the node ran the TTL from when it read the write, not from when the broker sent it.
test("a TTL set that waited in a paused node's socket expires on time there, even while the broker's delete is late", async (t) => {
  // Heartbeats of 1 s: the node survives a 2 s pause, and its lease outlives the broker's pause below.
  const cluster = await startCluster({ nodes: 1, brokerArgs: ['--heartbeat-ms', '1000'] });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  const node = cluster.nodes[0]!;
  const direct = new Brainer(node.endpoint, { timeoutMs: 1500, retry: false });
  t.teardown(() => direct.close());
  await client.set('probe', 'v');
  await eventually(async () => (await direct.get('probe').catch(() => undefined)) === 'v', 5000);

  node.kill('SIGSTOP');
  t.teardown(() => node.kill('SIGCONT'));
  const sentAt = performance.now();
  const write = client.set('ttl', 'v', { ttlMs: TTL_MS });
  await sleep(PAUSE_MS);
  node.kill('SIGCONT');
  await write;
  // Live while its TTL runs, once a heartbeat answer has renewed the lease the pause let lapse.
  await eventually(async () => (await direct.get('ttl').catch(() => undefined)) === 'v', TTL_MS - PAUSE_MS - 500);

  // The broker's sweep would delete the key on time: stop the broker, so only the node's clock counts.
  await sleep(sentAt + TTL_MS - 400 - performance.now());
  cluster.broker.kill('SIGSTOP');
  t.teardown(() => cluster.broker.kill('SIGCONT'));
  await sleep(sentAt + TTL_MS + 300 - performance.now());
  const late = await direct.get('ttl');
  cluster.broker.kill('SIGCONT');
  t.is(late, null, `read ${Math.round(performance.now() - sentAt - TTL_MS)} ms after the TTL ran out from the set`);
});
