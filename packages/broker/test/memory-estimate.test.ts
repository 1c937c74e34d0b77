import test from 'ava';
import { MemoryEstimate } from '../src/memory-estimate.js';

test('a node is estimated at its report plus the writes stamped after its seq', (t) => {
  const estimate = new MemoryEstimate();
  for (let seq = 1; seq <= 10; seq++) estimate.record(seq, 100);
  t.is(estimate.addedAfter(0), 1000);
  t.is(estimate.addedAfter(4), 600);
  t.is(estimate.addedAfter(10), 0);
  t.is(estimate.addedAfter(99), 0);
  estimate.report('a', 5000, 7);
  t.is(estimate.usedBy('a'), 5300);
  estimate.record(11, -250);
  t.is(estimate.usedBy('a'), 5050, 'an eviction counts as freeing its entry');
  t.is(estimate.usedBy('b'), undefined);
});

test('the highest estimate among the given nodes wins; an older report is ignored', (t) => {
  const estimate = new MemoryEstimate();
  for (let seq = 1; seq <= 4; seq++) estimate.record(seq, 10);
  estimate.report('a', 100, 4);
  estimate.report('b', 80, 2);
  t.is(estimate.highest(['a', 'b']), 100);
  estimate.report('b', 95, 1);
  t.is(estimate.usedBy('b'), 100, 'the report of seq 2 stays');
  t.is(estimate.highest(['b']), 100);
  t.is(estimate.highest(['c']), undefined);
  estimate.forget('a');
  t.is(estimate.highest(['a', 'b']), 100);
  t.is(estimate.reported('a'), undefined);
});

test('a jump in seq (a new epoch) starts counting afresh from the jump', (t) => {
  const estimate = new MemoryEstimate();
  estimate.record(1, 10);
  estimate.record(2, 10);
  estimate.record(100, 7);
  estimate.record(101, 3);
  t.is(estimate.lastSeq, 101);
  t.is(estimate.addedAfter(50), 10);
  t.is(estimate.addedAfter(1), 10, 'what came before the jump is not known to follow seq 1');
  t.is(estimate.addedAfter(100), 3);
});

test('a report older than the window counts every write the window still holds', (t) => {
  const estimate = new MemoryEstimate();
  const window = 2 ** 18;
  for (let seq = 1; seq <= window + 10; seq++) estimate.record(seq, 1);
  t.is(estimate.addedAfter(0), window);
  t.is(estimate.addedAfter(20), window - 10);
});
