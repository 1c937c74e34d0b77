import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { runClosedLoop } from '../src/index.js';

test('runClosedLoop counts failed ops as errors, hands each to onError, and records only the ops that succeeded', async (t) => {
  const workers = 4;
  let succeeded = 0;
  let failed = 0;
  const seen: unknown[] = [];
  const summary = await runClosedLoop(
    workers,
    async () => {
      await sleep(1);
      // Every other op fails.
      if ((succeeded + failed) % 2 === 0) {
        failed++;
        throw new Error(`failure ${failed}`);
      }
      succeeded++;
    },
    { durationMs: 200, warmupMs: 0, onError: (error) => seen.push(error) },
  );
  t.true(failed > 0 && succeeded > 0);
  t.is(summary.errors, failed);
  t.is(seen.length, failed);
  t.true(seen.every((error) => error instanceof Error && /^failure \d+$/.test(error.message)));
  // An op that succeeds after the end is not recorded: at most one per worker.
  t.true(summary.ops <= succeeded && summary.ops >= succeeded - workers, `${summary.ops} of ${succeeded}`);
  t.is(summary.seconds, 0.2);
  t.true(summary.p50Us <= summary.p99Us && summary.p99Us <= summary.p999Us);
});

test('runClosedLoop neither counts nor records the ops of the warmup', async (t) => {
  let calls = 0;
  const summary = await runClosedLoop(
    1,
    async () => {
      await sleep(1);
      // The first three ops, well inside the 300 ms warmup, fail.
      if (++calls <= 3) throw new Error('warming up');
    },
    { durationMs: 50, warmupMs: 300 },
  );
  t.is(summary.errors, 0);
  t.true(summary.ops > 0 && summary.ops < calls - 3);
});

test('runClosedLoop ends early when its signal is aborted, and measures up to there', async (t) => {
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 100);
  const summary = await runClosedLoop(2, () => sleep(1), { durationMs: 60_000, warmupMs: 0, signal: controller.signal });
  t.true(performance.now() - started < 30_000);
  t.true(summary.seconds >= 0.09 && summary.seconds < 30, String(summary.seconds));
  t.true(summary.ops > 0);
  t.is(summary.opsPerSecond, summary.ops / summary.seconds);
});

test('runClosedLoop with an aborted signal runs no op', async (t) => {
  let calls = 0;
  const summary = await runClosedLoop(
    3,
    async () => {
      calls++;
    },
    { durationMs: 60_000, warmupMs: 0, signal: AbortSignal.abort() },
  );
  t.is(calls, 0);
  t.like(summary, { ops: 0, errors: 0, seconds: 0 });
});

test('an op that fails at once does not keep an abort from stopping the run', async (t) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const summary = await runClosedLoop(1, () => Promise.reject(new Error('down')), {
    durationMs: 60_000,
    warmupMs: 0,
    signal: controller.signal,
  });
  t.true(summary.errors > 0);
  t.is(summary.ops, 0);
});
