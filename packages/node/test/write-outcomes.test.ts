import test from 'ava';
import { WriteOutcomes } from '../src/write-outcomes.js';

test('remembers each write by client and op id', (t) => {
  const outcomes = new WriteOutcomes(10);
  outcomes.remember('c1', 1, false);
  outcomes.remember('c1', 2, true);
  t.is(outcomes.get('c1', 1), false);
  t.is(outcomes.get('c1', 2), true);
  t.is(outcomes.get('c2', 1), undefined);
});

test('forgets the oldest first, past its capacity', (t) => {
  const outcomes = new WriteOutcomes(3);
  for (let id = 1; id <= 5; id++) outcomes.remember('c', id, id % 2 === 0);
  t.is(outcomes.size, 3);
  t.is(outcomes.get('c', 2), undefined);
  t.is(outcomes.get('c', 3), false);
  t.is(outcomes.get('c', 5), false);
});
