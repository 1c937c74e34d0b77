import test from 'ava';
import { WriteOutcomes } from '../src/index.js';

test('remembers each write by client and op id', (t) => {
  const outcomes = new WriteOutcomes<boolean>(10);
  outcomes.set(WriteOutcomes.key('c1', 1), false);
  outcomes.set(WriteOutcomes.key('c1', 2), true);
  t.is(outcomes.get(WriteOutcomes.key('c1', 1)), false);
  t.is(outcomes.get(WriteOutcomes.key('c1', 2)), true);
  t.is(outcomes.get(WriteOutcomes.key('c2', 1)), undefined);
  outcomes.delete(WriteOutcomes.key('c1', 2));
  t.is(outcomes.get(WriteOutcomes.key('c1', 2)), undefined);
});

test('forgets the oldest first, past its capacity', (t) => {
  const outcomes = new WriteOutcomes<boolean>(3);
  for (let id = 1; id <= 5; id++) outcomes.set(WriteOutcomes.key('c', id), id % 2 === 0);
  t.is(outcomes.size, 3);
  t.is(outcomes.get(WriteOutcomes.key('c', 2)), undefined);
  t.is(outcomes.get(WriteOutcomes.key('c', 3)), false);
  t.is(outcomes.get(WriteOutcomes.key('c', 5)), false);
});
