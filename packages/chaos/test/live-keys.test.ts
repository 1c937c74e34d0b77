import test from 'ava';
import { EXPIRY_GRACE_MS } from '../src/expiry.js';
import type { Operation } from '../src/history.js';
import { del, set, ttlSet } from './operations.js';
import { censusProcess, checkLiveKeys, type FaultMark } from '../src/live-keys.js';

// Hand-made histories. Times are [invokedAt, completedAt].
const census = (fault: number, key: string, result: string | null, at: number, outcome: 'ok' | 'fail' = 'ok'): Operation => ({
  process: censusProcess(fault),
  op: 'get',
  key,
  value: null,
  invokedAt: at,
  completedAt: at + 1,
  outcome,
  ...(outcome === 'ok' ? { result } : { error: 'ERR_TIMEOUT' }),
});

const faults: FaultMark[] = [
  { kind: 'node-kill', target: 'node1', at: 50 },
  { kind: 'source-pause', target: 'node2,node3', at: 150 },
];

test('a census that finds every acknowledged key passes', (t) => {
  const history = [set('a', 'a1', [0, 1]), set('b', 'b1', [0, 2]), census(0, 'a', 'a1', 100), census(0, 'b', 'b1', 100)];
  const result = checkLiveKeys(history, faults);
  t.true(result.ok);
  t.like(result.censuses[0], { fault: 0, after: 'node-kill node1', expected: 2, held: 2, missing: [] });
});

test('an acknowledged key missing from a census is a drop, reported with the fault before it', (t) => {
  const history = [
    set('a', 'a1', [0, 1]),
    set('b', 'b1', [0, 2]),
    census(0, 'a', 'a1', 100),
    census(0, 'b', 'b1', 100),
    census(1, 'a', null, 200),
    census(1, 'b', 'b1', 200),
  ];
  const result = checkLiveKeys(history, faults);
  t.false(result.ok);
  t.is(result.drops.length, 1);
  t.like(result.drops[0], { fault: 1, after: 'source-pause node2,node3', expected: 2, held: 1, dropped: 1, missing: ['a'] });
});

test('a key still missing in the next census fails it too, but the drop is the fault where it went', (t) => {
  const history = [
    set('a', 'a1', [0, 1]),
    set('b', 'b1', [0, 1]),
    census(0, 'a', null, 100),
    census(0, 'b', 'b1', 100),
    census(1, 'a', null, 200),
    census(1, 'b', null, 200),
  ];
  const result = checkLiveKeys(history, faults);
  t.false(result.ok);
  t.deepEqual(
    result.drops.map(({ fault, dropped, missing }) => ({ fault, dropped, missing })),
    [
      { fault: 0, dropped: 1, missing: ['a'] },
      { fault: 1, dropped: 1, missing: ['b', 'a'] },
    ],
  );
  t.like(result.censuses[1], { expected: 2, held: 0 });
});

test('a deleted key is not a drop, nor is one whose delete is still in doubt', (t) => {
  const history = [
    set('a', 'a1', [0, 1]),
    del('a', [10, 11]),
    set('b', 'b1', [0, 1]),
    del('b', [10, 11], 'unknown'),
    // Deleted while the census read was in flight.
    set('c', 'c1', [0, 1]),
    del('c', [100, 105]),
    census(0, 'a', null, 100),
    census(0, 'b', null, 100),
    census(0, 'c', null, 100),
  ];
  const result = checkLiveKeys(history, faults);
  t.true(result.ok);
  t.like(result.censuses[0], { expected: 0, held: 0 });
});

test('a key set again after its delete is live again', (t) => {
  const history = [set('a', 'a1', [0, 1]), del('a', [10, 11]), set('a', 'a2', [20, 21]), census(0, 'a', null, 100)];
  const result = checkLiveKeys(history, faults);
  t.false(result.ok);
  t.deepEqual(result.drops[0]?.missing, ['a']);
});

test('an expired key is not a drop; one read before its TTL ran out is', (t) => {
  const history = [
    ttlSet('ttl:1', 'x', [0, 1], 50),
    ttlSet('ttl:2', 'y', [0, 1], 5000),
    census(0, 'ttl:1', null, 100),
    census(0, 'ttl:2', null, 100),
  ];
  const result = checkLiveKeys(history, faults);
  t.false(result.ok);
  t.like(result.drops[0], { expected: 1, held: 0, missing: ['ttl:2'] });
  t.true(EXPIRY_GRACE_MS < 5000);
});

test('a key whose write is unknown is never required, and a failed census read tells nothing', (t) => {
  const history = [set('a', 'a1', [0, 1], 'unknown'), set('b', 'b1', [0, 1]), census(0, 'a', null, 100), census(0, 'b', null, 100, 'fail')];
  const result = checkLiveKeys(history, faults);
  t.true(result.ok);
  t.like(result.censuses[0], { expected: 0, unread: 1 });
});

test('a key acknowledged only after the census read began is not yet required', (t) => {
  const history = [set('a', 'a1', [90, 101]), census(0, 'a', null, 100)];
  t.true(checkLiveKeys(history, faults).ok);
});
