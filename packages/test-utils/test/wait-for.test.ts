import test from 'ava';
import { waitFor } from '../src/wait-for.js';

test('waitFor resolves with the first truthy value', async (t) => {
  let calls = 0;
  const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
  t.deepEqual(value, { calls: 3 });
});

test('waitFor treats a throwing predicate as not yet', async (t) => {
  let calls = 0;
  const value = await waitFor(
    async () => {
      if (++calls < 2) throw new Error('not yet');
      return 'done';
    },
    { intervalMs: 1 },
  );
  t.is(value, 'done');
});

test('waitFor rejects after the timeout with the last error', async (t) => {
  const err = await t.throwsAsync(
    waitFor(
      () => {
        throw new Error('still down');
      },
      { timeoutMs: 50, intervalMs: 5, description: 'the thing' },
    ),
  );
  t.regex(err?.message ?? '', /the thing not met within 50 ms \(last error: still down\)/);
});
