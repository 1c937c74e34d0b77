import { isDeepStrictEqual } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import {
  DEFAULT_LIMITS,
  BrainerError,
  decode,
  DecodeError,
  encode,
  ERROR_CODES,
  MESSAGE_TYPES,
  OP_CODES,
  PROTOCOL_VERSION,
  type ErrorCode,
  type Message,
} from '../src/index.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** One sample of every message type, and of every variant inside them. */
const MESSAGES: [name: string, message: Message][] = [
  ['request: empty', { type: 'request', ops: [] }],
  [
    'request: every op kind',
    {
      type: 'request',
      ops: [
        { op: 'ping', id: 0 },
        { op: 'get', id: 1, key: 'user:1' },
        { op: 'set', id: 2, key: 'user:1', value: bytes('alice'), ttlMs: 0, wait: 'all' },
        { op: 'set', id: 3, key: 'session', value: Buffer.alloc(0), ttlMs: 60_000, wait: 'primary' },
        { op: 'del', id: 4, key: 'user:1', wait: 'all' },
        { op: 'del', id: 5, key: 'user:2', wait: 'primary' },
        { op: 'keys', id: 6, pattern: 'user:*' },
        { op: 'nodes', id: 7 },
        { op: 'stats', id: 0xffffffff },
        { op: 'recent', id: 9 },
        { op: 'expiries', id: 10 },
        { op: 'bucket', id: 11, bucket: 'customer:42' },
        { op: 'watch', id: 12 },
        { op: 'evict-sample', id: 13, count: 0, volatile: false },
        { op: 'evict-sample', id: 14, count: 5000, volatile: true },
        { op: 'scan', id: 15, pattern: 'user:*', after: '', count: 1000 },
        { op: 'scan', id: 16, pattern: '*', after: 'ключ🔑', count: 1 },
        { op: 'ttl', id: 17, key: 'session' },
        { op: 'expire', id: 18, key: 'session', ttlMs: 60_000, wait: 'all' },
        { op: 'expire', id: 19, key: 'session', ttlMs: -1, wait: 'primary' },
        { op: 'flushall', id: 20, wait: 'all' },
      ],
    },
  ],
  [
    'request: non-ASCII keys and binary value',
    {
      type: 'request',
      ops: [
        { op: 'get', id: 1, key: 'ключ' },
        { op: 'get', id: 2, key: '键🔑' },
        { op: 'set', id: 3, key: 'café', value: Buffer.from([0, 0xff, 0x80, 0x7f]), ttlMs: 1, wait: 'all' },
        { op: 'del', id: 4, key: '', wait: 'all' },
        { op: 'keys', id: 5, pattern: 'ü*' },
        { op: 'bucket', id: 6, bucket: 'клиент' },
      ],
    },
  ],
  [
    'request: 1 MiB value and 1000 ops (buffer growth)',
    {
      type: 'request',
      ops: [
        { op: 'set', id: 0, key: 'big', value: Buffer.alloc(1024 * 1024, 0xab), ttlMs: 0, wait: 'all' },
        ...Array.from({ length: 1000 }, (_, i) => ({ op: 'get' as const, id: i + 1, key: `k${i}` })),
      ],
    },
  ],
  ['reply: empty', { type: 'reply', replies: [] }],
  [
    'reply: every value kind',
    {
      type: 'reply',
      replies: [
        { id: 1, ok: true, value: undefined },
        { id: 2, ok: true, value: null },
        { id: 3, ok: true, value: bytes('alice') },
        { id: 4, ok: true, value: Buffer.alloc(0) },
        { id: 5, ok: true, value: 1 },
        { id: 6, ok: true, value: -2.5 },
        { id: 7, ok: true, value: Number.MAX_SAFE_INTEGER },
        { id: 8, ok: true, value: ['user:1', 'ключ', ''] },
        { id: 9, ok: true, value: [] },
        { id: 10, ok: true, value: { json: { nodes: [{ id: 'n1', ready: true }], count: 1, none: null } } },
        { id: 11, ok: true, value: { json: [1, 'two', false] } },
        { id: 12, ok: true, value: { json: null } },
        { id: 13, ok: true, value: { json: 'text' } },
        { id: 14, ok: false, code: 'ERR_KEY_TOO_LARGE', message: 'key is 70000 bytes' },
        { id: 15, ok: false, code: 'ERR_TIMEOUT', message: '' },
        { id: 16, ok: true, value: { entries: [] } },
        {
          id: 17,
          ok: true,
          value: {
            entries: [
              ['contacts', bytes('alice@example.com')],
              ['', Buffer.alloc(0)],
              ['ключ', Buffer.from([0, 0xff])],
            ],
          },
        },
        { id: 18, ok: false, code: 'ERR_REPLY_TOO_LARGE', message: 'bucket "b" holds more than 10 bytes' },
      ],
    },
  ],
  [
    'register',
    {
      type: 'register',
      nodeId: 'node-1',
      incarnation: '9f86d081884c7d65',
      endpoint: 'tcp://127.0.0.1:5555',
      epoch: 3,
      seq: 12345,
      keys: 10,
      digest: '0123456789abcdef',
    },
  ],
  [
    'welcome: ready',
    {
      type: 'welcome',
      epoch: 1,
      state: 'ready',
      seq: 0,
      reset: true,
      joinId: 0,
      sourceId: '',
      sourceEndpoint: '',
      heartbeatMs: 1000,
      leaseMs: 3000,
      limits: { maxKeyBytes: 200_000, maxValueBytes: 16 << 20, maxBatchOps: 100_000, maxFrameBytes: 64 << 20 },
    },
  ],
  [
    'welcome: joining',
    {
      type: 'welcome',
      epoch: 2,
      state: 'joining',
      seq: 99,
      reset: false,
      joinId: 7,
      sourceId: 'node-2',
      sourceEndpoint: 'tcp://127.0.0.1:6000',
      heartbeatMs: 500,
      leaseMs: 1500,
      limits: DEFAULT_LIMITS,
    },
  ],
  [
    'heartbeat',
    {
      type: 'heartbeat',
      nodeId: 'node-1',
      sentAt: 1_700_000_000_123.5,
      epoch: 2,
      seq: 100,
      keys: 50,
      digest: 'ffffffffffffffff',
      state: 'joining',
      progress: { received: 25, total: 50 },
    },
  ],
  ['heartbeat-ack', { type: 'heartbeat-ack', sentAt: 1_700_000_000_123, epoch: 2, leaseMs: 3000, brokerAt: 81_234.5 }],
  [
    'writes: set and del',
    {
      type: 'writes',
      epoch: 4,
      firstSeq: 1000,
      sentAt: 123_456.789,
      writes: [
        { kind: 'set', key: 'a', value: bytes('1'), expiresAt: 0 },
        { kind: 'del', key: 'b' },
        { kind: 'del', key: 'c', origin: { client: '632d31', opId: 7 } },
        { kind: 'set', key: 'd', value: Buffer.from('x'), expiresAt: 0, origin: { client: 'ab', opId: 0xffffffff } },
        { kind: 'set', key: 'ключ', value: Buffer.from([0xff]), expiresAt: 183_456.789 },
        { kind: 'del', key: '🔑' },
        { kind: 'expire', key: 'e', expiresAt: 124_456.5, origin: { client: 'cd', opId: 3 } },
        { kind: 'flush', origin: { client: 'cd', opId: 4 } },
        { kind: 'flush' },
      ],
    },
  ],
  ['writes: one del of the empty key', { type: 'writes', epoch: 1, firstSeq: 1, sentAt: 0, writes: [{ kind: 'del', key: '' }] }],
  ['writes: empty', { type: 'writes', epoch: 1, firstSeq: 1, sentAt: 0, writes: [] }],
  ['ack', { type: 'ack', epoch: 4, seq: 1003, removed: [] }],
  ['ack: with removed deletes', { type: 'ack', epoch: 4, seq: 1003, removed: [1000, 1002] }],
  ['error', { type: 'error', code: 'ERR_MALFORMED', message: 'frame is truncated' }],
  ['unregister', { type: 'unregister', nodeId: 'node-1' }],
  ['caught-up', { type: 'caught-up', joinId: 7, seq: 120 }],
  ['join-failed', { type: 'join-failed', joinId: 7, reason: 'source went away' }],
  ['snapshot-request', { type: 'snapshot-request', joinId: 7, minSeq: 99, credit: 4 }],
  ['snapshot-begin', { type: 'snapshot-begin', joinId: 7, seq: 101, totalKeys: 3 }],
  [
    'snapshot-chunk',
    {
      type: 'snapshot-chunk',
      joinId: 7,
      sentAt: 1_700_000_000_000,
      entries: [
        { key: 'a', value: bytes('1'), seq: 5, expiresAt: 0 },
        { key: 'ключ', value: Buffer.alloc(0), seq: 6, expiresAt: 1_700_000_060_000 },
        { key: '', value: Buffer.from([0, 1, 2]), seq: 101, expiresAt: 0 },
        { key: 'expired', value: bytes('x'), seq: 102, expiresAt: 1_699_999_999_000 },
      ],
    },
  ],
  ['snapshot-chunk: empty', { type: 'snapshot-chunk', joinId: 7, sentAt: 0, entries: [] }],
  ['snapshot-end', { type: 'snapshot-end', joinId: 7, count: 3 }],
  ['snapshot-credit', { type: 'snapshot-credit', joinId: 7, credit: 2 }],
  [
    'membership',
    {
      type: 'membership',
      version: 12,
      epoch: 3,
      partitioner: 'consistent',
      nodes: [
        { id: 'node1', endpoint: 'ipc:///tmp/brainer-node1.sock' },
        { id: 'node2', endpoint: 'tcp://127.0.0.1:6001' },
      ],
    },
  ],
  ['membership: no ready nodes', { type: 'membership', version: 0, epoch: 0, partitioner: 'consistent', nodes: [] }],
  [
    'resume',
    {
      type: 'resume',
      nodeId: 'node-1',
      incarnation: 'a',
      endpoint: 'tcp://127.0.0.1:5601',
      epoch: 3,
      seq: 1200,
      keys: 10,
      digest: '61b4e38f55eab05a',
    },
  ],
  [
    'catch-up',
    { type: 'catch-up', epoch: 4, fromSeq: 1200, seq: 1350, joinId: 9, heartbeatMs: 500, leaseMs: 1000, limits: DEFAULT_LIMITS },
  ],
];

for (const [name, message] of MESSAGES) {
  test(`round trip: ${name}`, (t) => {
    const frame = encode(message);
    t.is(frame[0], PROTOCOL_VERSION);
    t.is(frame[1], MESSAGE_TYPES[message.type]);
    t.deepEqual(decode(frame), message);
  });
}

test('the round-trip table covers every message type and every op', (t) => {
  const types = new Set(MESSAGES.map(([, message]) => message.type));
  t.deepEqual([...types].sort(), Object.keys(MESSAGE_TYPES).sort());
  const ops = new Set(MESSAGES.flatMap(([, message]) => (message.type === 'request' ? message.ops.map((op) => op.op) : [])));
  t.deepEqual([...ops].sort(), Object.keys(OP_CODES).sort());
});

/** Decodes `frame`, expecting a DecodeError with `code`, and returns it. */
function decodeFails(t: ExecutionContext, frame: Buffer, code: ErrorCode): DecodeError {
  const error = t.throws(() => decode(frame), { instanceOf: DecodeError, code });
  return error as DecodeError;
}

/** A frame header followed by the given body bytes. */
function frameOf(type: number, ...body: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([PROTOCOL_VERSION, type]), ...body]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

function str(raw: Buffer): Buffer {
  return Buffer.concat([u32(raw.length), raw]);
}

const MALFORMED: [name: string, frame: () => Buffer, code: ErrorCode][] = [
  ['empty frame', () => Buffer.alloc(0), 'ERR_MALFORMED'],
  ['1-byte frame', () => Buffer.from([PROTOCOL_VERSION]), 'ERR_MALFORMED'],
  ['version 0', () => Buffer.from([0, MESSAGE_TYPES.ack]), 'ERR_BAD_VERSION'],
  [
    'version 2',
    () => Buffer.concat([Buffer.from([2]), encode({ type: 'ack', epoch: 1, seq: 1, removed: [] }).subarray(1)]),
    'ERR_BAD_VERSION',
  ],
  ['message type 0', () => frameOf(0), 'ERR_UNKNOWN_MESSAGE'],
  ['the first unassigned message type', () => frameOf(Math.max(...Object.values(MESSAGE_TYPES)) + 1), 'ERR_UNKNOWN_MESSAGE'],
  ['message type 255', () => frameOf(255, Buffer.alloc(16)), 'ERR_UNKNOWN_MESSAGE'],
  ['trailing byte', () => Buffer.concat([encode({ type: 'ack', epoch: 1, seq: 1, removed: [] }), Buffer.from([0])]), 'ERR_MALFORMED'],
  [
    'trailing bytes after a request',
    () => Buffer.concat([encode({ type: 'request', ops: [{ op: 'ping', id: 1 }] }), Buffer.alloc(5)]),
    'ERR_MALFORMED',
  ],
  [
    'invalid UTF-8 in a get key',
    () => frameOf(MESSAGE_TYPES.request, u32(1), u32(1), Buffer.from([OP_CODES.get]), str(Buffer.from([0xff, 0xfe]))),
    'ERR_BAD_KEY',
  ],
  [
    'UTF-8 surrogate in a write key',
    () => frameOf(MESSAGE_TYPES.writes, Buffer.alloc(24), u32(1), Buffer.from([2]), str(Buffer.from([0x61, 0xed, 0xa0, 0x80]))),
    'ERR_MALFORMED',
  ],
  ['truncated UTF-8 sequence in a node id', () => frameOf(MESSAGE_TYPES.unregister, str(Buffer.from([0x6e, 0xe2, 0x82]))), 'ERR_MALFORMED'],
  ['negative seq', () => encode({ type: 'ack', epoch: 1, seq: -1, removed: [] }), 'ERR_MALFORMED'],
  ['NaN seq', () => encode({ type: 'ack', epoch: 1, seq: NaN, removed: [] }), 'ERR_MALFORMED'],
  ['fractional seq', () => encode({ type: 'caught-up', joinId: 1, seq: 1.5 }), 'ERR_MALFORMED'],
  ['seq past 2^53', () => encode({ type: 'snapshot-begin', joinId: 1, seq: 2 ** 53, totalKeys: 0 }), 'ERR_MALFORMED'],
  ['negative removed seq', () => encode({ type: 'ack', epoch: 1, seq: 5, removed: [3, -4] }), 'ERR_MALFORMED'],
  ['negative epoch', () => encode({ type: 'writes', epoch: -3, firstSeq: 1, sentAt: 0, writes: [] }), 'ERR_MALFORMED'],
  ['infinite snapshot count', () => encode({ type: 'snapshot-end', joinId: 1, count: Infinity }), 'ERR_MALFORMED'],
  [
    'negative ttl',
    () => encode({ type: 'request', ops: [{ op: 'set', id: 1, key: 'k', value: bytes('v'), ttlMs: -1, wait: 'all' }] }),
    'ERR_BAD_REQUEST',
  ],
  [
    'NaN ttl',
    () => encode({ type: 'request', ops: [{ op: 'set', id: 1, key: 'k', value: bytes('v'), ttlMs: NaN, wait: 'all' }] }),
    'ERR_BAD_REQUEST',
  ],
  [
    'bad wait mode on set',
    () => withLastByte(encode({ type: 'request', ops: [{ op: 'set', id: 1, key: 'k', value: bytes('v'), ttlMs: 0, wait: 'all' }] }), 2),
    'ERR_BAD_REQUEST',
  ],
  [
    'bad wait mode on del',
    () => withLastByte(encode({ type: 'request', ops: [{ op: 'del', id: 1, key: 'k', wait: 'primary' }] }), 0xff),
    'ERR_BAD_REQUEST',
  ],
  ['unknown reply tag', () => frameOf(MESSAGE_TYPES.reply, u32(1), u32(1), Buffer.from([8])), 'ERR_MALFORMED'],
  [
    'invalid UTF-8 in a bucket name',
    () => frameOf(MESSAGE_TYPES.request, u32(1), u32(1), Buffer.from([OP_CODES.bucket]), str(Buffer.from([0xc0, 0x80]))),
    'ERR_BAD_KEY',
  ],
  [
    'an entries reply cut inside an entry',
    () => frameOf(MESSAGE_TYPES.reply, u32(1), u32(1), Buffer.from([7]), u32(1), str(bytes('item'))),
    'ERR_MALFORMED',
  ],
  ['retired writes code 7 (absolute expiries)', () => frameOf(7, Buffer.alloc(24), u32(0)), 'ERR_UNKNOWN_MESSAGE'],
  ['retired snapshot-chunk code 15 (absolute expiries)', () => frameOf(15, u32(1), u32(0)), 'ERR_UNKNOWN_MESSAGE'],
  ['NaN sentAt in writes', () => encode({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: NaN, writes: [] }), 'ERR_MALFORMED'],
  ['infinite sentAt in writes', () => encode({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: -Infinity, writes: [] }), 'ERR_MALFORMED'],
  [
    'NaN expiresAt in a set write',
    () =>
      encode({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 5, writes: [{ kind: 'set', key: 'k', value: bytes('v'), expiresAt: NaN }] }),
    'ERR_MALFORMED',
  ],
  ['NaN sentAt in a snapshot chunk', () => encode({ type: 'snapshot-chunk', joinId: 1, sentAt: NaN, entries: [] }), 'ERR_MALFORMED'],
  [
    'infinite expiresAt in a snapshot entry',
    () => encode({ type: 'snapshot-chunk', joinId: 1, sentAt: 5, entries: [{ key: 'k', value: bytes('v'), seq: 1, expiresAt: Infinity }] }),
    'ERR_MALFORMED',
  ],
  ['unknown write kind', () => frameOf(MESSAGE_TYPES.writes, Buffer.alloc(24), u32(1), Buffer.from([3]), str(bytes('k'))), 'ERR_MALFORMED'],
  ['unknown node state', () => withByte(encode(MESSAGES.find(([name]) => name === 'welcome: ready')![1]), 2 + 8, 2), 'ERR_MALFORMED'],
  ['invalid JSON in a reply', () => frameOf(MESSAGE_TYPES.reply, u32(1), u32(1), Buffer.from([5]), str(bytes('{"a":'))), 'ERR_MALFORMED'],
];

function withByte(frame: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(frame);
  copy[offset] = value;
  return copy;
}

function withLastByte(frame: Buffer, value: number): Buffer {
  return withByte(frame, frame.length - 1, value);
}

for (const [name, frame, code] of MALFORMED) {
  test(`malformed: ${name} -> ${code}`, (t) => {
    decodeFails(t, frame(), code);
  });
}

test('an unknown op code fails with ERR_UNKNOWN_OP and keeps the op ids read so far', (t) => {
  const valid = encode({
    type: 'request',
    ops: [
      { op: 'ping', id: 7 },
      { op: 'get', id: 8, key: 'k' },
    ],
  });
  const frame = Buffer.concat([valid, u32(9), Buffer.from([99]), u32(10), Buffer.from([OP_CODES.ping])]);
  frame.writeUInt32LE(4, 2); // four ops in all
  const error = decodeFails(t, frame, 'ERR_UNKNOWN_OP');
  t.deepEqual(error.opIds, [7, 8, 9]);
  t.regex(error.message, /99/);
});

test('a failure in a later op keeps the ids of the ops before it', (t) => {
  const frame = encode({
    type: 'request',
    ops: [
      { op: 'get', id: 1, key: 'a' },
      { op: 'del', id: 2, key: 'b', wait: 'all' },
    ],
  });
  const error = decodeFails(t, withLastByte(frame, 9), 'ERR_BAD_REQUEST');
  t.deepEqual(error.opIds, [1, 2]);
});

test('a frame that fails before any op has no op ids', (t) => {
  t.deepEqual(decodeFails(t, frameOf(MESSAGE_TYPES.request, Buffer.from([1, 0])), 'ERR_MALFORMED').opIds, []);
});

test('a DecodeError is a BrainerError whose cause is the original error', (t) => {
  const error = decodeFails(t, Buffer.from([9, 9]), 'ERR_BAD_VERSION');
  t.true(error instanceof BrainerError);
  t.true(error.cause instanceof BrainerError);
  t.is((error.cause as BrainerError).code, 'ERR_BAD_VERSION');
});

test('every truncation of every sample frame fails with a DecodeError', (t) => {
  let checked = 0;
  for (const [name, message] of MESSAGES) {
    const frame = encode(message);
    if (frame.length > 4096) continue; // the 1 MiB sample would only repeat the same checks
    for (let length = 0; length < frame.length; length++) {
      const error = t.throws(() => decode(frame.subarray(0, length)), { instanceOf: DecodeError }, `${name} cut to ${length} bytes`);
      if (error === undefined) return;
      t.true(ERROR_CODES.includes(error.code));
      checked++;
    }
  }
  t.true(checked > 500);
});

test('a request cut at any byte fails as ERR_MALFORMED', (t) => {
  const frame = encode(MESSAGES.find(([name]) => name === 'request: every op kind')![1]);
  for (let length = 0; length < frame.length; length++) {
    t.throws(() => decode(frame.subarray(0, length)), { instanceOf: DecodeError, code: 'ERR_MALFORMED' }, `cut to ${length} bytes`);
  }
});

const HUGE_COUNTS: [name: string, frame: () => Buffer][] = [
  ['request ops', () => frameOf(MESSAGE_TYPES.request, u32(0xffffffff), Buffer.alloc(8))],
  ['reply replies', () => frameOf(MESSAGE_TYPES.reply, u32(0xffffffff), Buffer.alloc(8))],
  ['keys in a reply', () => frameOf(MESSAGE_TYPES.reply, u32(1), u32(1), Buffer.from([4]), u32(0xffffffff), Buffer.alloc(8))],
  ['writes', () => frameOf(MESSAGE_TYPES.writes, Buffer.alloc(24), u32(0xffffffff), Buffer.alloc(8))],
  ['snapshot entries', () => frameOf(MESSAGE_TYPES['snapshot-chunk'], u32(1), Buffer.alloc(8), u32(0xffffffff), Buffer.alloc(8))],
  ['removed seqs in an ack', () => frameOf(MESSAGE_TYPES.ack, Buffer.alloc(16), u32(0xffffffff), Buffer.alloc(8))],
  ['string length', () => frameOf(MESSAGE_TYPES.unregister, u32(0xffffffff), Buffer.alloc(8))],
];

for (const [name, frame] of HUGE_COUNTS) {
  test(`a count of 0xffffffff ${name} in a short frame fails before reading elements`, (t) => {
    const error = decodeFails(t, frame(), 'ERR_MALFORMED');
    // The bound check must reject the count itself, not a read that runs off the end later.
    t.regex(error.message, name === 'string length' ? /truncated/ : /count 4294967295 exceeds the frame/);
  });
}

test('a count that just fits is accepted and one more is rejected', (t) => {
  const pings = encode({
    type: 'request',
    ops: [
      { op: 'ping', id: 1 },
      { op: 'ping', id: 2 },
    ],
  });
  t.is((decode(pings) as { ops: unknown[] }).ops.length, 2);
  const tooMany = Buffer.from(pings);
  tooMany.writeUInt32LE(3, 2);
  decodeFails(t, tooMany, 'ERR_MALFORMED');
});

test('an unknown error code in an error reply becomes ERR_INTERNAL and keeps the original code', (t) => {
  const frame = encode({ type: 'reply', replies: [{ id: 4, ok: false, code: 'ERR_FROM_THE_FUTURE' as ErrorCode, message: 'boom' }] });
  t.deepEqual(decode(frame), {
    type: 'reply',
    replies: [{ id: 4, ok: false, code: 'ERR_INTERNAL', message: 'ERR_FROM_THE_FUTURE: boom' }],
  });
});

test('an unknown error code in an error message becomes ERR_INTERNAL and keeps the original code', (t) => {
  const frame = encode({ type: 'error', code: 'ERR_FROM_THE_FUTURE' as ErrorCode, message: 'boom' });
  t.deepEqual(decode(frame), { type: 'error', code: 'ERR_INTERNAL', message: 'ERR_FROM_THE_FUTURE: boom' });
});

test('every known error code survives the trip in a reply', (t) => {
  const replies = ERROR_CODES.map((code, id) => ({ id, ok: false as const, code, message: code.toLowerCase() }));
  t.deepEqual(decode(encode({ type: 'reply', replies })), { type: 'reply', replies });
});

/** mulberry32: a small seeded generator, so that a failing fuzz case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

const TYPE_CODES = Object.values(MESSAGE_TYPES);

/** Decodes `frame`; a success must survive another round trip, a failure must be a DecodeError with a known code. */
function decodeOrFail(frame: Buffer): 'ok' | 'failed' {
  let message: Message;
  try {
    message = decode(frame);
  } catch (error) {
    if (!(error instanceof DecodeError) || !ERROR_CODES.includes(error.code)) {
      throw new Error(`decode threw something other than a DecodeError for ${frame.toString('hex')}`, { cause: error });
    }
    return 'failed';
  }
  const again = decode(encode(message));
  if (!isDeepStrictEqual(again, message)) throw new Error(`decoded ${frame.toString('hex')} does not round trip`);
  return 'ok';
}

test('fuzz: random bodies behind a valid header decode or fail with a DecodeError', (t) => {
  const next = random(0xb7a1e5);
  const outcomes = { ok: 0, failed: 0 };
  for (let i = 0; i < 5000; i++) {
    const body = Buffer.alloc(Math.floor(next() * 48));
    for (let j = 0; j < body.length; j++) body[j] = next() < 0.5 ? 0 : Math.floor(next() * 256);
    const frame = frameOf(TYPE_CODES[Math.floor(next() * TYPE_CODES.length)]!, body);
    outcomes[decodeOrFail(frame)]++;
  }
  t.is(outcomes.ok + outcomes.failed, 5000);
  t.true(outcomes.ok > 0, 'some random frames should decode');
  t.true(outcomes.failed > 0);
});

test('fuzz: valid frames with random bytes changed decode or fail with a DecodeError', (t) => {
  const next = random(0x5eed);
  const frames = MESSAGES.map(([, message]) => encode(message)).filter((frame) => frame.length < 4096);
  const outcomes = { ok: 0, failed: 0 };
  for (let i = 0; i < 5000; i++) {
    const frame = Buffer.from(frames[i % frames.length]!);
    const changes = 1 + Math.floor(next() * 3);
    for (let j = 0; j < changes; j++) frame[Math.floor(next() * frame.length)] = Math.floor(next() * 256);
    outcomes[decodeOrFail(frame)]++;
  }
  t.true(outcomes.ok > 0);
  t.true(outcomes.failed > 0);
});
