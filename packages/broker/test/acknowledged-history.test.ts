import test from 'ava';
import { AcknowledgedHistory } from '../src/acknowledged-history.js';

test('a broker knows nothing of an epoch it did not sequence', (t) => {
  const history = new AcknowledgedHistory();
  history.acknowledge(3, 10);
  t.deepEqual(history.latest(), { epoch: 3, seq: 10 });
  t.false(history.acknowledgedNothingAfter(2, 100), 'an epoch it never sequenced');
});

test('it knows what it acknowledged in each epoch it sequenced, the highest seq whatever the order', (t) => {
  const history = new AcknowledgedHistory();
  history.startEpoch(1, 0);
  t.true(history.acknowledgedNothingAfter(1, 0));
  history.acknowledge(1, 40);
  history.acknowledge(1, 30);
  t.deepEqual(history.latest(), { epoch: 1, seq: 40 });
  t.true(history.acknowledgedNothingAfter(1, 40));
  t.false(history.acknowledgedNothingAfter(1, 39));

  history.startEpoch(2, 60);
  t.deepEqual(history.latest(), { epoch: 1, seq: 40 }, 'an epoch start is not an acknowledgement');
  history.acknowledge(2, 61);
  t.deepEqual(history.latest(), { epoch: 2, seq: 61 });
  t.true(history.acknowledgedNothingAfter(1, 40), 'the older epoch is still known');
});

test('only the latest epochs are kept', (t) => {
  const history = new AcknowledgedHistory(2);
  for (const epoch of [1, 2, 3]) history.startEpoch(epoch, epoch * 100);
  t.false(history.acknowledgedNothingAfter(1, 1000));
  t.true(history.acknowledgedNothingAfter(2, 200));
  t.true(history.acknowledgedNothingAfter(3, 300));
});
