import test from 'ava';
import { AccessClock, CLOCK_TICK_MS, LFU_DECAY_MS, LFU_INIT_VAL, lfuDecay, lfuIncrement, ticksBetween } from '../src/access-clock.js';

test('the LFU counter rises surely from its initial value, then ever more rarely, and stops at 255', (t) => {
  t.is(lfuIncrement(0, 0.999), 1, 'under the initial value every access counts');
  t.is(lfuIncrement(LFU_INIT_VAL, 0.999), LFU_INIT_VAL + 1);
  // One above the initial value, the chance is 1 / (1 * 10 + 1).
  t.is(lfuIncrement(LFU_INIT_VAL + 1, 1 / 11 - 1e-9), LFU_INIT_VAL + 2);
  t.is(lfuIncrement(LFU_INIT_VAL + 1, 1 / 11), LFU_INIT_VAL + 1);
  t.is(lfuIncrement(255, 0), 255);
});

test('the LFU counter loses one per decay period idle, down to 0', (t) => {
  t.is(lfuDecay(10, LFU_DECAY_MS - 1), 10);
  t.is(lfuDecay(10, LFU_DECAY_MS), 9);
  t.is(lfuDecay(10, 3 * LFU_DECAY_MS + 5), 7);
  t.is(lfuDecay(2, 5 * LFU_DECAY_MS), 0);
});

test('idle ticks count across the wrap of the 32-bit clock', (t) => {
  t.is(ticksBetween(5, 9), 4);
  t.is(ticksBetween(2 ** 32 - 2, 3), 5);
});

test('an entry is idle since its last access, and its counter grows with accesses', (t) => {
  let now = 1_000;
  const clock = new AccessClock(
    () => now,
    () => 0,
  );
  clock.created(0);
  clock.created(5000);
  t.is(clock.frequency(0), LFU_INIT_VAL);
  now += 250;
  t.is(clock.idleMs(0), 250);
  clock.touched(0);
  t.is(clock.idleMs(0), 0);
  t.is(clock.idleMs(5000), 250, 'slots past the first allocation grow the arrays');
  for (let i = 0; i < 20; i++) clock.touched(0);
  // With random always 0 every access counts.
  t.is(clock.frequency(0), LFU_INIT_VAL + 21);
  now += 2 * LFU_DECAY_MS;
  t.is(clock.frequency(0), LFU_INIT_VAL + 19, 'two decay periods idle');
  clock.touched(0);
  t.is(clock.frequency(0), LFU_INIT_VAL + 20, 'an access stores the decayed counter, plus one');
});

test('the clock counts in ticks of 10 ms', (t) => {
  let now = 0;
  const clock = new AccessClock(() => now);
  clock.created(3);
  now = CLOCK_TICK_MS - 1;
  t.is(clock.idleMs(3), 0);
  now = 3 * CLOCK_TICK_MS + 1;
  t.is(clock.idleMs(3), 3 * CLOCK_TICK_MS);
});
