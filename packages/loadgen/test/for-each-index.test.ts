import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { forEachIndex } from '../src/index.js';

test('forEachIndex calls op once for every index, never more than `concurrency` at once', async (t) => {
  const seen: number[] = [];
  const streams = new Set<number>();
  let inFlight = 0;
  let most = 0;
  const succeeded = await forEachIndex(
    100,
    async (index, stream) => {
      most = Math.max(most, ++inFlight);
      streams.add(stream);
      await sleep(1);
      seen.push(index);
      inFlight--;
    },
    { concurrency: 8 },
  );
  t.is(succeeded, 100);
  t.deepEqual(
    [...seen].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  t.is(most, 8);
  t.deepEqual(
    [...streams].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
});

test('forEachIndex starts no call after the first failure, and rejects with it once the others settle', async (t) => {
  let started = 0;
  let settled = 0;
  const error = await t.throwsAsync(
    forEachIndex(
      1000,
      async (index) => {
        started++;
        await sleep(index === 10 ? 1 : 5);
        settled++;
        if (index === 10) throw new Error('index 10 failed');
      },
      { concurrency: 20 },
    ),
  );
  t.is(error?.message, 'index 10 failed');
  t.true(started < 100, String(started));
  t.is(settled, started);
});

test('forEachIndex stops starting calls once its signal is aborted, and counts those that succeeded', async (t) => {
  const controller = new AbortController();
  let calls = 0;
  const succeeded = await forEachIndex(
    1_000_000,
    async () => {
      if (++calls === 50) controller.abort();
      await sleep(0);
    },
    { concurrency: 4, signal: controller.signal },
  );
  t.true(calls >= 50 && calls < 60, String(calls));
  t.is(succeeded, calls);
  t.is(await forEachIndex(0, () => Promise.reject(new Error('never called')), { concurrency: 4 }), 0);
});
