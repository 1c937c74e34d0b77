import test from 'ava';
import { Prng } from '../src/prng.js';

test('the same seed gives the same draws, and forks are independent of later draws', (t) => {
  const a = new Prng(42);
  const b = new Prng(42);
  t.deepEqual(
    Array.from({ length: 5 }, () => a.u32()),
    Array.from({ length: 5 }, () => b.u32()),
  );
  t.is(new Prng(7).fork('w1').next(), new Prng(7).fork('w1').next());
  t.not(new Prng(7).fork('w1').next(), new Prng(7).fork('w2').next());
});

test('ranges are respected', (t) => {
  const prng = new Prng(1);
  for (let i = 0; i < 1000; i++) {
    const n = prng.int(3, 5);
    t.true(n >= 3 && n <= 5);
    t.true(prng.next() < 1);
  }
  t.deepEqual(prng.shuffle([1, 2, 3, 4]).sort(), [1, 2, 3, 4]);
});
