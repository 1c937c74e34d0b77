import test from 'ava';
import { mulberry32, uniform } from '../src/index.js';

const draw = (next: () => number, n: number): number[] => Array.from({ length: n }, next);

test('mulberry32 gives the same sequence for the same seed, and another for another seed', (t) => {
  const a = draw(mulberry32(42), 1000);
  t.deepEqual(draw(mulberry32(42), 1000), a);
  t.notDeepEqual(draw(mulberry32(43), 1000), a);
  t.true(a.every((x) => x >= 0 && x < 1));
  t.true(new Set(a).size > 990);
});

test('uniform draws whole indexes in [0, n) and reaches every one', (t) => {
  const counts = new Array<number>(10).fill(0);
  for (const i of draw(uniform(10, mulberry32(7)), 10_000)) counts[i]!++;
  t.true(
    counts.every((c) => c > 800 && c < 1200),
    String(counts),
  );
  t.is(
    counts.reduce((a, b) => a + b),
    10_000,
  );
});
