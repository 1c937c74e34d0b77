import test from 'ava';
import { LatencyRecorder, median, percentile, summarize } from '../src/index.js';

const TEN = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

for (const [q, expected] of [
  [0, 1],
  [0.1, 1],
  [0.11, 2],
  [0.5, 5],
  [0.51, 6],
  [0.99, 10],
  [0.999, 10],
  [1, 10],
] as const) {
  test(`percentile ${q} of 1..10 is ${expected} (nearest rank)`, (t) => {
    t.is(percentile(TEN, q), expected);
  });
}

test('percentile of one sample is that sample, and of none NaN', (t) => {
  t.is(percentile(Float64Array.from([42]), 0.5), 42);
  t.is(percentile(Float64Array.from([42]), 0.999), 42);
  t.true(Number.isNaN(percentile(new Float64Array(0), 0.5)));
});

for (const [values, expected] of [
  [[3], 3],
  [[3, 1, 2], 2],
  [[4, 1, 3, 2], 2.5],
  [[1, NaN, 3, Infinity], 2],
] as const) {
  test(`median of [${values.join(', ')}] is ${expected}`, (t) => {
    t.is(median(values), expected);
  });
}

test('median of nothing, or of no finite number, is NaN', (t) => {
  t.true(Number.isNaN(median([])));
  t.true(Number.isNaN(median([NaN, -Infinity])));
});

test('LatencyRecorder grows past its first buffer and sorts its samples', (t) => {
  const recorder = new LatencyRecorder();
  const count = (1 << 16) + 10;
  for (let i = count; i > 0; i--) recorder.record(i);
  t.is(recorder.count, count);
  const sorted = recorder.sorted();
  t.is(sorted.length, count);
  t.is(sorted[0], 1);
  t.is(sorted[count - 1], count);
  t.true(sorted.every((v, i) => i === 0 || sorted[i - 1]! <= v));
});

test('summarize gives ops, errors, ops/s and the percentiles', (t) => {
  const recorder = new LatencyRecorder();
  for (let us = 1; us <= 1000; us++) recorder.record(us);
  t.deepEqual(summarize(recorder, 2, 3), { ops: 1000, errors: 3, seconds: 2, opsPerSecond: 500, p50Us: 500, p99Us: 990, p999Us: 999 });
});
