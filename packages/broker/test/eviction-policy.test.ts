import test from 'ava';
import type { EvictionSample } from '@brainer/protocol';
import { evicts, mayEvict, pickVictims } from '../src/eviction-policy.js';

const sample = (key: string, idleMs: number, frequency: number, volatile = false, bytes = 100): EvictionSample => ({
  key,
  idleMs,
  frequency,
  volatile,
  bytes,
});

const candidates = [sample('hot', 10, 9), sample('cold', 5000, 5), sample('old-hot', 9000, 12), sample('ttl', 20, 5, true)];

test('LRU evicts the longest idle first', (t) => {
  const victims = pickVictims(candidates, 'allkeys-lru', 250, 10);
  t.deepEqual(
    victims.map((v) => v.key),
    ['old-hot', 'cold', 'ttl'],
  );
});

test('volatile-lru evicts only entries with a TTL', (t) => {
  t.deepEqual(
    pickVictims(candidates, 'volatile-lru', 10_000, 10).map((v) => v.key),
    ['ttl'],
  );
  t.false(mayEvict('volatile-lru', sample('k', 1, 1)));
  t.true(mayEvict('volatile-lru', sample('k', 1, 1, true)));
});

test('LFU evicts the lowest counter first, the longest idle among equals', (t) => {
  t.deepEqual(
    pickVictims(candidates, 'allkeys-lfu', 10_000, 10).map((v) => v.key),
    ['cold', 'ttl', 'hot', 'old-hot'],
  );
});

test('victims stop once enough bytes are freed or at the key cap; noeviction never evicts', (t) => {
  t.is(pickVictims(candidates, 'allkeys-lru', 100, 10).length, 1);
  t.is(pickVictims(candidates, 'allkeys-lru', 101, 10).length, 2);
  t.is(pickVictims(candidates, 'allkeys-lru', 10_000, 2).length, 2);
  t.is(pickVictims(candidates, 'allkeys-lru', 0, 10).length, 0);
  t.deepEqual(pickVictims(candidates, 'noeviction', 10_000, 10), []);
  t.false(evicts('noeviction'));
  t.true(evicts('allkeys-lfu'));
});
