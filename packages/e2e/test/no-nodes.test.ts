import test from 'ava';
import { Brainer, BrainerError } from '@brainer/client';
import { startBroker, startNode } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

test('with no nodes, a write gets the retryable ERR_NOT_READY and a read fails fast with ERR_NO_NODES', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const client = new Brainer(broker.endpoint, { timeoutMs: 10_000, retry: false });
  t.teardown(() => client.close());
  await client.connect();
  // Past the broker's start-up wait, when everything gets ERR_NOT_READY.
  await eventually(async () => (await client.stats()).recovering === false, 5000);
  const start = performance.now();
  const setError = await t.throwsAsync(client.set('k', 'v'), { instanceOf: BrainerError });
  t.is(setError?.code, 'ERR_NOT_READY');
  const getError = await t.throwsAsync(client.get('k'), { instanceOf: BrainerError });
  t.is(getError?.code, 'ERR_NO_NODES');
  t.true(performance.now() - start < 2000, 'answered well before the client timeout');
  t.deepEqual(await client.nodes(), []);
});

test('a write made while no node is ready is retried, and applied once a node is ready within the timeout', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const client = new Brainer(broker.endpoint, { timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await client.connect();
  await eventually(async () => (await client.stats()).recovering === false, 5000);
  const write = client.set('k', 'v');
  const node = await startNode(broker.endpoint, { id: 'late' });
  t.teardown(() => node.stop());
  await write;
  t.is(await client.get('k'), 'v');
  t.like(await client.stats(), { seq: 1 }, 'the retries were sequenced once');
});

test('connect to an endpoint that refuses fails with ERR_UNREACHABLE naming it; other calls time out naming it', async (t) => {
  const client = new Brainer('tcp://127.0.0.1:1', { timeoutMs: 60_000 });
  t.teardown(() => client.close());
  const error = await t.throwsAsync(client.connect(), { instanceOf: BrainerError });
  t.is(error?.code, 'ERR_UNREACHABLE');
  t.regex(error?.message ?? '', /tcp:\/\/127\.0\.0\.1:1\b/);

  const later = new Brainer('tcp://127.0.0.1:1', { timeoutMs: 300 });
  t.teardown(() => later.close());
  const timeout = await t.throwsAsync(later.get('k'), { instanceOf: BrainerError });
  t.is(timeout?.code, 'ERR_TIMEOUT');
  t.regex(timeout?.message ?? '', /get got no answer from tcp:\/\/127\.0\.0\.1:1 within 300 ms/);
});
