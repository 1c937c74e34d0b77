import test from 'ava';
import { Registry } from 'prom-client';
import { LatencyHistogram } from '../src/latency-histogram.js';

test('a latency histogram exposes cumulative buckets, sum and count per label, as promtool expects', async (t) => {
  const registry = new Registry();
  const histogram = new LatencyHistogram(registry, 'test_seconds', 'A test histogram.', 'mode', ['a', 'b'] as const, [0.1, 1]);
  for (const value of [0.05, 0.1, 0.5, 2]) histogram.series.a.observe(value);
  const text = await registry.metrics();
  t.true(text.includes('# TYPE test_seconds histogram'));
  t.true(text.includes('test_seconds_bucket{mode="a",le="0.1"} 2'), 'a value on a bound falls in that bucket');
  t.true(text.includes('test_seconds_bucket{mode="a",le="1"} 3'));
  t.true(text.includes('test_seconds_bucket{mode="a",le="+Inf"} 4'));
  t.true(text.includes('test_seconds_sum{mode="a"} 2.65'));
  t.true(text.includes('test_seconds_count{mode="a"} 4'));
  t.true(text.includes('test_seconds_count{mode="b"} 0'), 'every series shows from the start');
});
