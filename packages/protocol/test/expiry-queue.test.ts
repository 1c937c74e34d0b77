import test from 'ava';
import { ExpiryQueue } from '../src/expiry-queue.js';

test('keys come out in expiry order once their time has passed', (t) => {
  const queue = new ExpiryQueue();
  queue.set('c', 300);
  queue.set('a', 100);
  queue.set('b', 200);
  t.deepEqual(queue.takeExpired(50), []);
  t.deepEqual(queue.takeExpired(250), ['a', 'b']);
  t.deepEqual(queue.takeExpired(1000), ['c']);
  t.is(queue.size, 0);
});

test('a later write replaces or removes the expiry', (t) => {
  const queue = new ExpiryQueue();
  queue.set('a', 100);
  queue.set('a', 500);
  queue.set('b', 100);
  queue.set('b', 0);
  queue.set('c', 100);
  queue.delete('c');
  t.deepEqual(queue.takeExpired(200), []);
  t.deepEqual(queue.takeExpired(500), ['a']);
});

test('many random expiries drain in order', (t) => {
  const queue = new ExpiryQueue();
  const times = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, at: 1 + ((i * 7919) % 1000) }));
  for (const { key, at } of times) queue.set(key, at);
  const drained: string[] = [];
  for (let now = 0; now <= 1000; now += 10) drained.push(...queue.takeExpired(now));
  const expected = [...times].sort((a, b) => Math.ceil(a.at / 10) - Math.ceil(b.at / 10)).map((x) => x.key);
  t.is(drained.length, 500);
  t.deepEqual([...drained].sort(), [...expected].sort());
  const atOf = new Map(times.map((x) => [x.key, x.at]));
  for (let i = 1; i < drained.length; i++) t.true(Math.ceil(atOf.get(drained[i - 1]!)! / 10) <= Math.ceil(atOf.get(drained[i]!)! / 10));
});
