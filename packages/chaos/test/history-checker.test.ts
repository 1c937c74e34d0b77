import test from 'ava';
import { EXPIRY_GRACE_MS } from '../src/expiry.js';
import { checkHistory, type CheckResult } from '../src/history-checker.js';
import { FINAL_PROCESS, type Operation } from '../src/history.js';
import { del, get, set, ttlSet } from './operations.js';

const failedGet = (key: string, [invokedAt, completedAt]: [number, number]): Operation => ({
  process: 'r1',
  op: 'get',
  key,
  value: null,
  invokedAt,
  completedAt,
  outcome: 'fail',
  error: 'ERR_TIMEOUT',
});
const final = (key: string, result: string | null, at = 100): Operation => get(key, result, [at, at + 1], FINAL_PROCESS);

const violations = (result: CheckResult): number =>
  result.lostWrites.length +
  result.staleReads.length +
  result.phantomReads.length +
  result.nonMonotonicReads.length +
  result.missingFinalReads.length;

const passing: [string, Operation[]][] = [
  ['a read after a write sees it', [set('k', 'v1', [0, 1]), get('k', 'v1', [2, 3]), final('k', 'v1')]],
  ['a key never written reads as null', [get('k', null, [0, 1])]],
  ['a delete reads as null', [set('k', 'v1', [0, 1]), del('k', [2, 3]), get('k', null, [4, 5]), final('k', null)]],
  [
    'a read concurrent with a write may see the old or the new value',
    [set('k', 'v1', [0, 1]), set('k', 'v2', [2, 6]), get('k', 'v1', [3, 4]), get('k', 'v2', [3, 4]), final('k', 'v2')],
  ],
  [
    'a concurrent write explains a value: overlapping acknowledged writes take effect in either order',
    // v1's write spans v2's, so after both a read may return either; "a write that did not complete
    // before the read began" alone would wrongly reject the second read.
    [set('k', 'v1', [0, 10]), set('k', 'v2', [2, 3]), get('k', 'v1', [11, 12]), get('k', 'v2', [11, 12]), final('k', 'v2')],
  ],
  [
    'an unknown write may take effect at any later time',
    [set('k', 'v1', [0, 1]), set('k', 'v2', [2, 3], 'unknown'), set('k', 'v3', [4, 5]), get('k', 'v2', [50, 51]), final('k', 'v2')],
  ],
  ['an unknown delete explains a null', [set('k', 'v1', [0, 1]), del('k', [2, 3], 'unknown'), get('k', null, [10, 11]), final('k', null)]],
  ['a failed read tells nothing', [set('k', 'v1', [0, 1]), set('k', 'v2', [2, 3]), failedGet('k', [4, 5]), final('k', 'v2')]],
  [
    'a write that began before the read ended may be seen',
    [set('k', 'v1', [0, 1]), get('k', 'v2', [2, 5]), set('k', 'v2', [4, 6]), final('k', 'v2')],
  ],
  [
    'a value read again while another write is still in flight has not come back',
    [
      set('k', 'v1', [0, 1]),
      get('k', 'v1', [2, 3]),
      set('k', 'v2', [2.5, 9]),
      get('k', 'v1', [6, 7]),
      get('k', 'v2', [8, 8.5]),
      final('k', 'v2'),
    ],
  ],
  [
    'a key with a TTL may read as missing once its TTL has run out, and must by the grace after',
    [
      ttlSet('t', 'v1', [0, 1], 50),
      get('t', 'v1', [20, 21]),
      get('t', null, [60, 61]),
      get('t', null, [2000, 2001]),
      final('t', null, 3000),
    ],
  ],
  [
    'an unknown set with a TTL may expire at any time after its TTL',
    [ttlSet('t', 'v1', [0, 1], 50, 'unknown'), get('t', 'v1', [5000, 5001]), final('t', null, 6000)],
  ],
  ['keys are independent', [set('a', 'v1', [0, 1]), set('b', 'v2', [2, 3]), get('a', 'v1', [4, 5]), final('a', 'v1'), final('b', 'v2')]],
];

for (const [title, history] of passing) {
  test(`passes: ${title}`, (t) => {
    const result = checkHistory(history);
    t.true(result.ok, JSON.stringify(result, null, 1));
    t.is(violations(result), 0);
  });
}

test('fails: a lost write, an acknowledged value not read back after the run', (t) => {
  const v2 = set('k', 'v2', [2, 3]);
  const result = checkHistory([set('k', 'v1', [0, 1]), v2, final('k', 'v1')]);
  t.false(result.ok);
  t.is(result.lostWrites.length, 1);
  t.is(result.staleReads.length, 0);
  t.is(result.lostWrites[0]!.witness, v2);
  t.true(result.lostWrites[0]!.excerpt.includes(v2));
});

test('fails: a lost write where the key reads as missing', (t) => {
  const result = checkHistory([set('k', 'v1', [0, 1]), final('k', null)]);
  t.is(result.lostWrites.length, 1);
  t.is(result.lostWrites[0]!.witness?.value, 'v1');
});

test('fails: a lost delete, the deleted value back after the run', (t) => {
  const result = checkHistory([set('k', 'v1', [0, 1]), del('k', [2, 3]), final('k', 'v1')]);
  t.is(result.lostWrites.length, 1);
  t.is(result.lostWrites[0]!.witness?.op, 'del');
});

test('fails: a stale read, older than a write that completed before the read began', (t) => {
  const v1 = set('k', 'v1', [0, 1]);
  const v2 = set('k', 'v2', [2, 3]);
  const read = get('k', 'v1', [4, 5]);
  const result = checkHistory([v1, v2, read, final('k', 'v2')]);
  t.false(result.ok);
  t.is(result.staleReads.length, 1);
  t.is(result.staleReads[0]!.read, read);
  t.deepEqual(result.staleReads[0]!.sources, [v1]);
  t.is(result.staleReads[0]!.witness, v2);
});

test('fails: a stale null after a set that followed the delete', (t) => {
  const result = checkHistory([del('k', [0, 1]), set('k', 'v1', [2, 3]), get('k', null, [4, 5]), final('k', 'v1')]);
  t.is(result.staleReads.length, 1);
  t.is(result.staleReads[0]!.witness?.value, 'v1');
});

test('fails: a stale read is not excused by an unknown write of another value', (t) => {
  const result = checkHistory([
    set('k', 'v1', [0, 1]),
    set('k', 'v2', [0.5, 20], 'unknown'),
    set('k', 'v3', [2, 3]),
    get('k', 'v1', [4, 5]),
    get('k', 'v2', [4, 5]),
    final('k', 'v3'),
  ]);
  t.is(result.staleReads.length, 1);
  t.is(result.staleReads[0]!.read?.result, 'v1');
});

test('fails: the witness is the acknowledged write that completed first after the source', (t) => {
  const v2 = set('k', 'v2', [2, 3]);
  const result = checkHistory([set('k', 'v1', [0, 1]), set('k', 'v3', [1.5, 8]), v2, get('k', 'v1', [9, 10]), final('k', 'v3')]);
  t.is(result.staleReads[0]!.witness, v2);
});

test('fails: a phantom value that was never written', (t) => {
  const result = checkHistory([set('k', 'v1', [0, 1]), get('k', 'never', [2, 3]), final('k', 'v1')]);
  t.false(result.ok);
  t.is(result.phantomReads.length, 1);
  t.deepEqual(result.phantomReads[0]!.sources, []);
});

test('fails: a phantom value written to another key', (t) => {
  const result = checkHistory([set('a', 'v1', [0, 1]), get('b', 'v1', [2, 3]), final('a', 'v1')]);
  t.is(result.phantomReads.length, 1);
  t.is(result.phantomReads[0]!.key, 'b');
});

test('fails: a value read before its write began', (t) => {
  const result = checkHistory([get('k', 'v1', [0, 1]), set('k', 'v1', [2, 3]), final('k', 'v1')]);
  t.is(result.phantomReads.length, 1);
  t.regex(result.phantomReads[0]!.explanation, /only after/);
});

test('fails: a non-monotonic read, a value back after another was read (a write applied twice)', (t) => {
  // v1's write is acknowledged late, as a retry applied a second time would be, so rule (c)
  // alone accepts the last read: v1's write did not complete before v2's began.
  const history = [
    set('k', 'v1', [0, 10]),
    get('k', 'v1', [2, 3]),
    set('k', 'v2', [2.5, 3.5]),
    get('k', 'v2', [4, 5]),
    get('k', 'v1', [6, 7]),
    final('k', 'v1', 11),
  ];
  const result = checkHistory(history);
  t.is(result.staleReads.length, 0);
  t.is(result.nonMonotonicReads.length, 1);
  t.is(result.nonMonotonicReads[0]!.read, history[4]);
  t.true(result.nonMonotonicReads[0]!.witness === history[2] || result.nonMonotonicReads[0]!.witness === history[3]);
});

test('fails: a non-monotonic read, a value back after a delete took effect', (t) => {
  const history = [set('k', 'v1', [0, 10], 'unknown'), get('k', 'v1', [2, 3]), del('k', [4, 5]), get('k', 'v1', [6, 7]), final('k', null)];
  const result = checkHistory(history);
  t.is(result.nonMonotonicReads.length, 1);
  t.is(result.nonMonotonicReads[0]!.witness, history[2]);
});

test('fails: a key with a TTL read as missing before its TTL ran out (a node whose clock runs ahead)', (t) => {
  const result = checkHistory([ttlSet('t', 'v1', [0, 1], 5000), get('t', null, [100, 101]), final('t', 'v1', 200)]);
  t.is(result.staleReads.length, 1);
  t.is(result.staleReads[0]!.witness?.value, 'v1');
  t.is(result.lostWrites.length, 0);
});

test('fails: a key with a TTL still read well after it expired', (t) => {
  const result = checkHistory([
    ttlSet('t', 'v1', [0, 1], 50),
    get('t', 'v1', [60 + EXPIRY_GRACE_MS, 61 + EXPIRY_GRACE_MS]),
    final('t', null, 5000),
  ]);
  t.is(result.staleReads.length, 1);
  t.is(result.staleReads[0]!.witness?.process, 'expiry');
  t.regex(result.staleReads[0]!.explanation, /expired/);
});

test('fails: a written key without a final read', (t) => {
  const result = checkHistory([set('k', 'v1', [0, 1]), get('k', 'v1', [2, 3])]);
  t.false(result.ok);
  t.is(result.missingFinalReads.length, 1);
});

test('counts operations by kind and outcome', (t) => {
  const result = checkHistory([
    set('k', 'v1', [0, 1]),
    set('k', 'v2', [2, 3], 'unknown'),
    del('k', [4, 5]),
    get('k', null, [6, 7]),
    failedGet('k', [6, 7]),
    final('k', null),
  ]);
  t.deepEqual(result.writes, { ok: 2, unknown: 1 });
  t.deepEqual(result.reads, { ok: 2, fail: 1, final: 1 });
  t.is(result.keys, 1);
  t.true(result.ok);
});

test('handles a long history of one key quickly', (t) => {
  const history: Operation[] = [];
  for (let i = 0; i < 20_000; i++) {
    history.push(set('k', `v${i}`, [i * 10, i * 10 + 5]));
    history.push(get('k', `v${i}`, [i * 10 + 6, i * 10 + 7]));
  }
  history.push(final('k', 'v19999', 1e6));
  const start = performance.now();
  t.true(checkHistory(history).ok);
  t.true(performance.now() - start < 2000);
  history.push(get('k', 'v5', [500, 501]));
  t.is(checkHistory(history).staleReads.length, 1);
});
