import test from 'ava';
import { mulberry32, uniform, zipfian } from '../src/index.js';

const N = 1000;
const DRAWS = 100_000;

function counts(next: () => number): number[] {
  const counts = new Array<number>(N).fill(0);
  for (let i = 0; i < DRAWS; i++) {
    const key = next();
    if (!Number.isInteger(key) || key < 0 || key >= N) throw new RangeError(`key ${key} out of [0, ${N})`);
    counts[key]!++;
  }
  return counts;
}

test('zipfian stays in [0, n) and is skewed: its hottest key is drawn far more often than any uniform key', (t) => {
  const skewed = counts(zipfian(N, mulberry32(1)));
  const flat = counts(uniform(N, mulberry32(1)));
  const hottest = Math.max(...skewed);
  t.true(hottest > 10 * Math.max(...flat), `zipfian ${hottest}, uniform ${Math.max(...flat)}`);
  // theta 0.99: the 10 hottest keys of 1000 take about a third of the draws.
  const top10 = [...skewed].sort((a, b) => b - a).slice(0, 10);
  t.true(top10.reduce((a, b) => a + b) > DRAWS / 5);
});

test('zipfian is reproducible with the same seed', (t) => {
  const skewed = counts(zipfian(N, mulberry32(5)));
  t.deepEqual(counts(zipfian(N, mulberry32(5))), skewed);
});

test('zipfian needs at least 2 keys', (t) => {
  t.throws(() => zipfian(1, mulberry32(1)), { instanceOf: RangeError, message: /at least 2/ });
  t.throws(() => zipfian(NaN, mulberry32(1)), { instanceOf: RangeError });
  const two = counts(zipfian(2, mulberry32(1)));
  t.true(two[0]! > 0 && two[1]! > 0);
});
