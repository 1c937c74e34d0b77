import test from 'ava';
import { StallDetector } from '../src/stall-detector.js';

test('ticks on time, or late within the margin, are no stall', (t) => {
  const stalls = new StallDetector(500, 500, 0);
  t.is(stalls.tick(500), 0);
  t.is(stalls.tick(1400), 0);
});

test('a tick later than the interval plus the margin reports how long the broker stalled', (t) => {
  const stalls = new StallDetector(500, 500, 0);
  t.is(stalls.tick(500), 0);
  t.is(stalls.tick(3500), 2500);
  t.is(stalls.tick(4000), 0, 'the next tick on time is no stall');
});

test('every tick tells how late it ran, under the margin too, and the most so far', (t) => {
  const stalls = new StallDetector(500, 500, 0);
  stalls.tick(900);
  t.is(stalls.lateMs, 400);
  stalls.tick(1400);
  t.is(stalls.lateMs, 0);
  t.is(stalls.maxLateMs, 400);
});
