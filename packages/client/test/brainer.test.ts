import test from 'ava';
import type { BrainerError } from '@brainer/protocol';
import { Brainer } from '../src/brainer.js';

test('set reports bad calls as rejections, never as synchronous throws', async (t) => {
  const client = new Brainer('tcp://127.0.0.1:1', { timeoutMs: 100 });
  t.teardown(() => client.close());

  const badTtl = client.set('k', 'v', { ttlMs: -1 });
  const nullOptions = client.set('k', 'v', null as never);
  t.true(badTtl instanceof Promise);
  t.true(nullOptions instanceof Promise);
  const error = await t.throwsAsync<BrainerError>(badTtl);
  t.is((error as { code?: string }).code, 'ERR_BAD_REQUEST');
  t.is((await t.throwsAsync<BrainerError>(nullOptions))?.code, 'ERR_BAD_REQUEST');
});
