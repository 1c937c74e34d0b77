import test from 'ava';
import { ConsistentHashRing } from '../src/index.js';

const KEYS = Array.from({ length: 100_000 }, (_, i) => `key:${i}`);
const TEN = Array.from({ length: 10 }, (_, i) => `node-${i}`);

function primaries(ring: ConsistentHashRing): string[] {
  return KEYS.map((key) => ring.primary(key)!);
}

test('10 nodes share 100k keys within 25% of the mean', (t) => {
  const counts = new Map<string, number>(TEN.map((id) => [id, 0]));
  for (const owner of primaries(new ConsistentHashRing(TEN))) counts.set(owner, counts.get(owner)! + 1);
  t.deepEqual([...counts.keys()].sort(), TEN);
  const mean = KEYS.length / TEN.length;
  for (const [id, count] of counts) {
    t.true(Math.abs(count - mean) <= mean * 0.25, `${id} holds ${count} keys, mean ${mean}`);
  }
});

test('the same ids in any order, with duplicates, give the same placement', (t) => {
  const forward = new ConsistentHashRing(TEN);
  const shuffled = new ConsistentHashRing([...TEN].reverse().concat(['node-3', 'node-0']));
  t.deepEqual(shuffled.nodeIds, TEN);
  t.deepEqual(primaries(shuffled), primaries(forward));
});

test('adding an 11th node moves only keys to it, about 1/11 of them', (t) => {
  const before = primaries(new ConsistentHashRing(TEN));
  const after = primaries(new ConsistentHashRing([...TEN, 'node-10']));
  let moved = 0;
  for (let i = 0; i < KEYS.length; i++) {
    if (before[i] === after[i]) continue;
    moved++;
    if (after[i] !== 'node-10') return t.fail(`${KEYS[i]} moved from ${before[i]} to ${after[i]}`);
  }
  const share = moved / KEYS.length;
  t.true(share >= 0.05 && share <= 0.15, `moved ${share}`);
});

test('removing a node moves only the keys it held', (t) => {
  const removed = 'node-4';
  const before = primaries(new ConsistentHashRing(TEN));
  const after = primaries(new ConsistentHashRing(TEN.filter((id) => id !== removed)));
  let moved = 0;
  for (let i = 0; i < KEYS.length; i++) {
    if (before[i] === removed) {
      moved++;
      if (after[i] === removed) return t.fail(`${KEYS[i]} is still on ${removed}`);
    } else if (after[i] !== before[i]) {
      return t.fail(`${KEYS[i]} moved from ${before[i]} to ${after[i]}`);
    }
  }
  t.true(moved > 0);
});

test('a key that leaves a removed node goes to the next node in its preference list', (t) => {
  const ring = new ConsistentHashRing(TEN);
  const without = new Map(TEN.map((id) => [id, new ConsistentHashRing(TEN.filter((other) => other !== id))]));
  for (const key of KEYS.slice(0, 20_000)) {
    const [primary, fallback] = ring.preference(key);
    if (without.get(primary!)!.primary(key) !== fallback) return t.fail(`${key}: expected ${fallback} after removing ${primary}`);
  }
  t.pass();
});

test('preference lists every node once, primary first', (t) => {
  const ring = new ConsistentHashRing(TEN);
  for (const key of KEYS.slice(0, 5000)) {
    const preference = ring.preference(key);
    t.is(preference.length, TEN.length);
    t.is(ring.primary(key), preference[0]);
    t.deepEqual([...preference].sort(), TEN);
  }
});

test('preference orders differ between keys', (t) => {
  const ring = new ConsistentHashRing(TEN);
  const seconds = new Set(KEYS.slice(0, 1000).map((key) => ring.preference(key)[1]));
  t.is(seconds.size, TEN.length);
});

test('a one-node ring places every key on that node', (t) => {
  const ring = new ConsistentHashRing(['only']);
  for (const key of ['', 'a', 'ключ', ...KEYS.slice(0, 100)]) {
    t.is(ring.primary(key), 'only');
    t.deepEqual(ring.preference(key), ['only']);
  }
});

test('an empty ring has no primary and an empty preference list', (t) => {
  const ring = new ConsistentHashRing([]);
  t.deepEqual(ring.nodeIds, []);
  t.is(ring.primary('key'), undefined);
  t.deepEqual(ring.preference('key'), []);
});
