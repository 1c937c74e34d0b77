import test from 'ava';
import { BoundedMap } from '../src/bounded-map.js';

test('a bounded map forgets the oldest key set once it holds capacity keys', (t) => {
  const map = new BoundedMap<number>(3);
  for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, i);
  t.is(map.size, 3);
  t.is(map.get('a'), undefined);
  t.deepEqual(
    ['b', 'c', 'd'].map((key) => map.get(key)),
    [1, 2, 3],
  );
});

test('a key set again keeps its newest value, and delete and clear empty it', (t) => {
  const map = new BoundedMap<string>(3);
  map.set('k', 'first');
  map.set('k', 'second');
  t.is(map.get('k'), 'second');
  t.is(map.size, 1);
  map.set('other', 'x');
  t.true(map.delete('other'));
  t.is(map.size, 1);
  map.clear();
  t.is(map.size, 0);
  t.is(map.get('k'), undefined);
});
