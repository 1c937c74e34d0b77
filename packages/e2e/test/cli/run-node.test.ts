import test from 'ava';
import { Brainer } from '@brainer/client';
import { startBroker, startNode, waitFor } from '@brainer/test-utils';

test('run-node prints its ready line, registers, and unregisters on SIGINT and SIGTERM', async (t) => {
  // Slow heartbeats, so that only unregistering (not failure detection) can explain a quick removal.
  const broker = await startBroker({ heartbeatMs: 2000 });
  t.teardown(() => broker.stop());
  const first = await startNode(broker.endpoint, { id: 'alpha' });
  t.teardown(() => first.stop());
  const second = await startNode(broker.endpoint, { id: 'beta' });
  t.teardown(() => second.stop());

  t.is(first.readyLine.role, 'node');
  t.is(first.id, 'alpha');
  t.is(first.readyLine.broker, broker.endpoint);
  t.regex(first.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);

  const client = new Brainer(broker.endpoint, { timeoutMs: 5000 });
  t.teardown(() => client.close());
  await client.connect();
  const ids = async (): Promise<string[]> => (await client.nodes()).map((n) => n.id).sort();
  await waitFor(async () => (await ids()).join() === 'alpha,beta', { description: 'both nodes listed' });

  for (const [node, signal, left] of [
    [first, 'SIGINT', 'beta'],
    [second, 'SIGTERM', ''],
  ] as const) {
    const stoppedAt = Date.now();
    node.kill(signal);
    t.deepEqual(await node.exited, { code: 0, signal: null }, node.stderr);
    await waitFor(async () => (await ids()).join() === left, { timeoutMs: 3000, description: `${node.id} unregistered` });
    t.true(Date.now() - stoppedAt < 3000);
  }
});
