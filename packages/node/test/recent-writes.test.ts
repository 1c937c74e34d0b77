import test from 'ava';
import { RecentWrites } from '../src/recent-writes.js';

test('it lists the last writes oldest first, forgetting the oldest past its capacity', (t) => {
  const recent = new RecentWrites(3);
  t.deepEqual(recent.list(), []);
  recent.record({ client: 'a', opId: 1 }, 'set', false);
  recent.record({ client: 'b', opId: 2 }, 'del', true);
  t.deepEqual(recent.list(), [
    ['a', 1, 'set', 0],
    ['b', 2, 'del', 1],
  ]);
  recent.record({ client: 'a', opId: 3 }, 'del', false);
  recent.record({ client: 'a', opId: 4 }, 'set', false);
  t.deepEqual(recent.list(), [
    ['b', 2, 'del', 1],
    ['a', 3, 'del', 0],
    ['a', 4, 'set', 0],
  ]);
});
