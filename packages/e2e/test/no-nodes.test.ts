import test from 'ava';
import { Brainer, BrainerError } from '@brainer/client';
import { startBroker } from '@brainer/test-utils';

test('with no nodes, requests fail fast with ERR_NO_NODES', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const client = new Brainer(broker.endpoint, { timeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  const start = performance.now();
  const setError = await t.throwsAsync(client.set('k', 'v'), { instanceOf: BrainerError });
  t.is(setError?.code, 'ERR_NO_NODES');
  const getError = await t.throwsAsync(client.get('k'), { instanceOf: BrainerError });
  t.is(getError?.code, 'ERR_NO_NODES');
  t.true(performance.now() - start < 2000, 'answered well before the client timeout');
  t.deepEqual(await client.nodes(), []);
});

test('an unreachable broker makes calls time out with ERR_TIMEOUT', async (t) => {
  const client = new Brainer('tcp://127.0.0.1:1', { timeoutMs: 300 });
  t.teardown(() => client.close());
  const error = await t.throwsAsync(client.connect(), { instanceOf: BrainerError });
  t.is(error?.code, 'ERR_TIMEOUT');
});
