import test from 'ava';
import { DEFAULT_LIMITS, batchTooLarge, validateOp, type ErrorCode, type Op } from '../src/index.js';

const limits = { ...DEFAULT_LIMITS, maxKeyBytes: 8, maxValueBytes: 4, maxBatchOps: 2 };

const cases: [name: string, op: Op, code: ErrorCode | undefined][] = [
  ['a get is fine', { op: 'get', id: 1, key: 'k' }, undefined],
  ['an empty key', { op: 'get', id: 1, key: '' }, 'ERR_BAD_KEY'],
  ['an empty key in a del', { op: 'del', id: 1, key: '', wait: 'all' }, 'ERR_BAD_KEY'],
  ['an empty pattern is fine (it matches nothing)', { op: 'keys', id: 1, pattern: '' }, undefined],
  ['a key over the limit', { op: 'set', id: 1, key: '123456789', value: Buffer.from('v'), ttlMs: 0, wait: 'all' }, 'ERR_KEY_TOO_LARGE'],
  ['a key over the limit in UTF-8 bytes', { op: 'get', id: 1, key: 'ééééé' }, 'ERR_KEY_TOO_LARGE'],
  ['a value over the limit', { op: 'set', id: 1, key: 'k', value: Buffer.alloc(5), ttlMs: 0, wait: 'all' }, 'ERR_VALUE_TOO_LARGE'],
  ['a value at the limit', { op: 'set', id: 1, key: 'k', value: Buffer.alloc(4), ttlMs: 0, wait: 'all' }, undefined],
  ['a pattern with a reversed range', { op: 'keys', id: 1, pattern: '[z-a]' }, 'ERR_BAD_PATTERN'],
  ['a pattern whose "[" is never closed', { op: 'keys', id: 1, pattern: '[' }, 'ERR_BAD_PATTERN'],
  ['a pattern with an escaped "["', { op: 'keys', id: 1, pattern: '\\[' }, undefined],
  ['ops without a key', { op: 'stats', id: 1 }, undefined],
  ['a scan is fine', { op: 'scan', id: 1, pattern: 'k*', after: 'k1', count: 100_000 }, undefined],
  ['a scan of no key', { op: 'scan', id: 1, pattern: '*', after: '', count: 0 }, 'ERR_BAD_REQUEST'],
  ['a scan of too many keys', { op: 'scan', id: 1, pattern: '*', after: '', count: 100_001 }, 'ERR_BAD_REQUEST'],
  ['a scan after a key over the limit', { op: 'scan', id: 1, pattern: '*', after: '123456789', count: 1 }, 'ERR_KEY_TOO_LARGE'],
  ['a scan with a pattern over the limit', { op: 'scan', id: 1, pattern: '123456789*', after: '', count: 1 }, 'ERR_KEY_TOO_LARGE'],
  ['a scan with a bad pattern', { op: 'scan', id: 1, pattern: '[z-a]', after: '', count: 1 }, 'ERR_BAD_PATTERN'],
];

for (const [name, op, code] of cases) {
  test(`validateOp: ${name}`, (t) => {
    const reply = validateOp(op, limits);
    t.is(reply && !reply.ok ? reply.code : undefined, code);
    if (reply) t.is(reply.id, op.id);
  });
}

test('batchTooLarge answers every op of a request over the limit, and nothing below it', (t) => {
  const ops: Op[] = [1, 2, 3].map((id) => ({ op: 'ping', id }));
  t.is(batchTooLarge(ops.slice(0, 2), limits), undefined);
  const replies = batchTooLarge(ops, limits)!;
  t.deepEqual(
    replies.map((reply) => [reply.id, !reply.ok && reply.code]),
    [
      [1, 'ERR_BATCH_TOO_LARGE'],
      [2, 'ERR_BATCH_TOO_LARGE'],
      [3, 'ERR_BATCH_TOO_LARGE'],
    ],
  );
});
