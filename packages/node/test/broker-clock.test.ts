import test from 'ava';
import { BrokerClock } from '../src/broker-clock.js';

test('before any answer, a message counts as sent on receipt', (t) => {
  t.is(new BrokerClock().localTimeOf(5, 100), 100);
});

test('the quickest answer of the window bounds the send time, which is never after the receipt', (t) => {
  const clock = new BrokerClock(3);
  clock.addSample(1000, 900); // waited in a paused process's socket: broker − local ≥ 100
  clock.addSample(1300, 801); // ≥ 499, the tightest
  clock.addSample(1600, 1200); // ≥ 400
  t.is(clock.localTimeOf(1400, 10_000), 901);
  t.is(clock.localTimeOf(99_000, 10_000), 10_000);
  for (let i = 0; i < 3; i++) clock.addSample(0, -25);
  t.is(clock.localTimeOf(1400, 10_000), 1375, 'the quick answer has left the window');
  clock.addSample(Number.NaN, 0);
  t.is(clock.localTimeOf(1400, 10_000), 1375, 'a reading that is not a number is ignored');
  clock.reset();
  t.is(clock.localTimeOf(1400, 10_000), 10_000);
});
