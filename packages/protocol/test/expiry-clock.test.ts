import test from 'ava';
import { expiryOnLocalClock, readExpiriesAnswer } from '../src/index.js';

test('an expiry keeps its time left from the sender clock to the receiver clock, whatever their offset', (t) => {
  // Sent at 1,000 on the sender's clock with 5,000 left; received at 31,000 on a clock 30 s ahead.
  t.is(expiryOnLocalClock(6000, 1000, 31_000), 36_000);
  t.is(expiryOnLocalClock(6000, 1000, -29_000 + 1e12), 1e12 - 24_000);
});

test('no expiry stays none, and a passed expiry stays in the past without becoming none', (t) => {
  t.is(expiryOnLocalClock(0, 1000, 50), 0);
  t.is(expiryOnLocalClock(500, 1000, 5000), 4500);
  const expired = expiryOnLocalClock(1, 1_000_000, 10);
  t.true(expired > 0 && expired <= 10, `${expired}`);
});

test('an expiries answer is read, and anything else is not one', (t) => {
  t.deepEqual(
    readExpiriesAnswer({
      sentAt: 5,
      keys: [
        ['a', 10],
        ['b', 3],
      ],
    }),
    {
      sentAt: 5,
      keys: [
        ['a', 10],
        ['b', 3],
      ],
    },
  );
  t.deepEqual(readExpiriesAnswer({ sentAt: 5, keys: [['a', 10], ['bad'], [1, 2], ['none', 0], ['nan', null]] }), {
    sentAt: 5,
    keys: [['a', 10]],
  });
  t.is(readExpiriesAnswer([['a', 1_700_000_000_000]]), undefined, "an older node's bare array of wall-clock times");
  t.is(readExpiriesAnswer({ keys: [] }), undefined);
  t.is(readExpiriesAnswer({ sentAt: 'now', keys: [] }), undefined);
  t.is(readExpiriesAnswer(null), undefined);
});
