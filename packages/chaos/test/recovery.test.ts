import test from 'ava';
import type { Operation } from '../src/history.js';
import { longestWriteGaps, recoveryTimes, spread } from '../src/recovery.js';

const probe = (invokedAt: number, completedAt: number, outcome: 'ok' | 'unknown' = 'ok'): Operation => ({
  process: 'probe',
  op: 'set',
  key: 'probe:0',
  value: `p${invokedAt}`,
  invokedAt,
  completedAt,
  outcome,
});

test('recovery is the earliest completion of a write invoked after the fault', (t) => {
  const history = [probe(0, 1), probe(10, 40), probe(20, 25), probe(30, 31, 'unknown'), probe(50, 52)];
  t.deepEqual(recoveryTimes([5, 21, 45, 60], history), [20, 31, 7, null]);
});

test('the longest write gap in a window counts from its start, between completions, and to its end', (t) => {
  const history = [probe(0, 1), probe(10, 12), probe(11, 30, 'unknown'), probe(13, 40), probe(41, 42), probe(50, 95)];
  // [5, 60]: 5 → 12 (7), 12 → 40 (28), 40 → 42 (2), 42 → 60 (18); the unknown write does not count.
  // [45, 100]: 45 → 95 (50), 95 → 100 (5). [60, 70]: nothing completes in it.
  t.deepEqual(
    longestWriteGaps(
      [
        [5, 60],
        [45, 100],
        [60, 70],
      ],
      history,
    ),
    [28, 50, 10],
  );
});

test('spread gives min, median and max of the values present', (t) => {
  t.deepEqual(spread([3, null, 1, 2, undefined]), { count: 3, min: 1, p50: 2, max: 3 });
  t.is(spread([null]), undefined);
});
