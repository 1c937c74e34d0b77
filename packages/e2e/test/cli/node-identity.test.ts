import { randomBytes } from 'node:crypto';
import test from 'ava';
import { Brainer } from '@brainer/client';
import { runBin, spawnReady, startBroker, waitFor } from '@brainer/test-utils';

/** A node id no other test run uses, so that its default ipc endpoint is this test's alone. */
const uniqueId = (): string => `ident-${randomBytes(4).toString('hex')}`;

async function clientOf(t: { teardown(fn: () => unknown): void }, endpoint: string): Promise<Brainer> {
  const client = new Brainer(endpoint, { timeoutMs: 15_000 });
  t.teardown(() => client.close());
  await client.connect();
  return client;
}

test('run-node --id X with no --node-endpoint refuses the default socket a live node holds, naming it; the first node keeps serving', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const id = uniqueId();
  const first = await spawnReady('run-node', ['--broker', broker.endpoint, '--id', id]);
  t.teardown(() => first.stop());
  t.regex(first.endpoint, /^ipc:\/\//);
  const client = await clientOf(t, broker.endpoint);
  await client.set('kept', 'v');

  const second = await runBin('run-node', ['--broker', broker.endpoint, '--id', id], { timeoutMs: 20_000 });
  t.not(second.code, 0, second.stderr);
  t.true(second.stderr.includes(`${first.endpoint} is in use`), second.stderr);
  t.false(first.hasExited);
  t.is(await client.get('kept'), 'v');
});

test('a second live node registering under a held id is refused with ERR_NODE_ID_TAKEN and exits 1; a node restarted after a crash under that id is taken back', async (t) => {
  // The crashed node must not be dropped for missed beats before it comes back, however long a
  // loaded machine takes to restart it: a minute of beats may be missed.
  const broker = await startBroker({ heartbeatMs: 2000, args: ['--heartbeat-liveness', '30'] });
  t.teardown(() => broker.stop());
  const id = uniqueId();
  const args = (endpoint: string): string[] => ['--broker', broker.endpoint, '--id', id, '--node-endpoint', endpoint];
  const first = await spawnReady('run-node', args('tcp://127.0.0.1:*'));
  t.teardown(() => first.stop());
  // A peer that holds the data, for the restarted node to join from.
  const peer = await spawnReady('run-node', ['--broker', broker.endpoint, '--id', uniqueId(), '--node-endpoint', 'tcp://127.0.0.1:*']);
  t.teardown(() => peer.stop());
  const client = await clientOf(t, broker.endpoint);
  await client.set('kept', 'v');

  const second = await runBin('run-node', args('tcp://127.0.0.1:*'), { timeoutMs: 20_000 });
  t.is(second.code, 1, second.stderr);
  t.true(second.stderr.includes('ERR_NODE_ID_TAKEN'), second.stderr);
  t.true(second.stderr.includes(first.endpoint), second.stderr);
  t.false(first.hasExited);
  const holder = (await client.nodes()).filter((node) => node.id === id);
  t.deepEqual(
    holder.map((node) => [node.endpoint, node.state]),
    [[first.endpoint, 'ready']],
  );

  // A crash leaves the registration behind; the restarted process under the same id gets it back.
  first.kill('SIGKILL');
  await first.exited;
  const restarted = await spawnReady('run-node', args('tcp://127.0.0.1:*'));
  t.teardown(() => restarted.stop());
  await waitFor(async () => (await client.nodes()).some((node) => node.endpoint === restarted.endpoint && node.state === 'ready'), {
    description: 'the restarted node ready',
  });
  t.false(restarted.hasExited);
  t.false(restarted.stderr.includes('ERR_NODE_ID_TAKEN'), restarted.stderr);
  // Taken back from the gone holder's registration, or (on a loaded machine, slow to restart it)
  // after the broker had already dropped the holder for a failed send.
  t.regex(broker.stderr, new RegExp(`node id taken back from a holder that is gone|node lost \\{"node":"${id}"`));
  t.is(await client.get('kept'), 'v');
  await client.set('after', 'ok');
  t.is(await client.get('after'), 'ok');
});
