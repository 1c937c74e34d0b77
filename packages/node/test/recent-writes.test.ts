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

test('it keeps every write kind, and whether an expire found its key', (t) => {
  const recent = new RecentWrites(4);
  recent.record({ client: 'a', opId: 1 }, 'expire', true);
  recent.record({ client: 'a', opId: 2 }, 'expire', false);
  recent.record({ client: 'b', opId: 3 }, 'flush', false);
  recent.record({ client: 'b', opId: 4 }, 'del', true);
  t.deepEqual(recent.list(), [
    ['a', 1, 'expire', 1],
    ['a', 2, 'expire', 0],
    ['b', 3, 'flush', 0],
    ['b', 4, 'del', 1],
  ]);
});
