import { DEFAULT_LIMITS, MESSAGE_TYPES, OP_CODES, encode, type Message } from '@brainer/protocol';
import { MESSAGE_TYPE_NAMES, sampleFrame, sampleKey, sampleMessage } from './frame-samples.js';
import type { Prng } from './prng.js';

/** Where a fuzz message goes: the broker's ROUTER or a node's own ROUTER. */
export type FuzzTarget = 'broker' | 'node';

/** One message to send: its ZeroMQ frames and how it was made. */
export interface FuzzMessage {
  mutation: string;
  frames: Buffer[];
}

/** Weighted mutations of the random phase. Oversized values are rare: each one is 16 MiB. */
const MUTATIONS: [string, number][] = [
  ['valid', 10],
  ['flip', 20],
  ['truncate', 10],
  ['extend', 8],
  ['random', 8],
  ['overwrite-length', 12],
  ['version', 4],
  ['type', 5],
  ['multi-frame', 4],
  ['huge-count', 4],
  ['bad-utf8', 5],
  ['wrong-role', 8],
  ['oversize-key', 1],
  ['oversize-value', 0.02],
];
const TOTAL_WEIGHT = MUTATIONS.reduce((sum, [, weight]) => sum + weight, 0);

/** Byte sequences that are not valid UTF-8. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xfe, 0xff]),
  Buffer.from([0xc0, 0x80]), // overlong NUL
  Buffer.from([0xe0, 0x80, 0xaf]), // overlong '/'
  Buffer.from([0xed, 0xa0, 0x80]), // a surrogate
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
  Buffer.from([0xe2, 0x82]), // cut short
  Buffer.from([0x66, 0x7a, 0x3a, 0x80]), // 'fz:' then a lone continuation byte
];

/** Node-to-broker messages a client has no business sending, and broker-to-node ones. */
const NODE_ONLY: Message['type'][] = ['heartbeat', 'ack', 'caught-up', 'join-failed', 'unregister', 'reply'];
const BROKER_ONLY: Message['type'][] = [
  'welcome',
  'heartbeat-ack',
  'writes',
  'snapshot-begin',
  'snapshot-chunk',
  'snapshot-end',
  'membership',
];

/** A random message for the random phase: a valid encoding, mutated by one weighted mutation. */
export function randomMessage(prng: Prng): FuzzMessage {
  let roll = prng.next() * TOTAL_WEIGHT;
  let mutation = MUTATIONS[0]![0];
  for (const [name, weight] of MUTATIONS) {
    if (roll < weight) {
      mutation = name;
      break;
    }
    roll -= weight;
  }
  return { mutation, frames: mutate(prng, mutation) };
}

function mutate(prng: Prng, mutation: string): Buffer[] {
  const frame = sampleFrame(prng);
  switch (mutation) {
    case 'flip': {
      const out = Buffer.from(frame);
      const flips = prng.int(1, 8);
      for (let i = 0; i < flips; i++) {
        const at = prng.below(out.length);
        out[at] = prng.chance(0.5) ? out[at]! ^ (1 << prng.below(8)) : prng.below(256);
      }
      return [out];
    }
    case 'truncate':
      return [frame.subarray(0, prng.below(frame.length))];
    case 'extend':
      return [Buffer.concat([frame, prng.bytes(prng.int(1, 64))])];
    case 'random':
      return [Buffer.concat([Buffer.from([prng.chance(0.7) ? 1 : prng.below(256), prng.below(20)]), prng.bytes(prng.below(256))])];
    case 'overwrite-length': {
      // Any 4 bytes of the body may be a count or a length: make them say something else.
      if (frame.length < 6) return [frame];
      const out = Buffer.from(frame);
      const at = prng.int(2, out.length - 4);
      const value = prng.pick([0, 1, 0xff, 0xffff, 0x7fff_ffff, 0xffff_ffff, out.length, out.length - at, prng.u32()]);
      out.writeUInt32LE(value >>> 0, at);
      return [out];
    }
    case 'version': {
      const out = Buffer.from(frame);
      out[0] = prng.pick([0, 2, 3, 0x7f, 0x80, 0xff]);
      return [out];
    }
    case 'type': {
      const out = Buffer.from(frame);
      out[1] = prng.chance(0.5) ? prng.pick([0, 18, 19, 100, 255]) : prng.pick(Object.values(MESSAGE_TYPES));
      return [out];
    }
    case 'multi-frame': {
      const count = prng.chance(0.8) ? prng.int(2, 10) : prng.int(100, 1000);
      return [frame, ...Array.from({ length: count - 1 }, () => (prng.chance(0.5) ? Buffer.alloc(0) : sampleFrame(prng)))];
    }
    case 'huge-count':
      return [hugeCount(prng.pick(['request', 'reply', 'writes', 'ack', 'snapshot-chunk'] as const), prng)];
    case 'bad-utf8':
      return [badUtf8Request(prng.pick(['get', 'set', 'del', 'keys'] as const), prng.pick(INVALID_UTF8), prng)];
    case 'wrong-role':
      return [encode(sampleMessage(prng, prng.pick([...NODE_ONLY, ...BROKER_ONLY, 'register', 'error'])))];
    case 'oversize-key':
      return [
        encode({ type: 'request', ops: [{ op: 'get', id: prng.below(0x8000_0000), key: 'k'.repeat(DEFAULT_LIMITS.maxKeyBytes + 1) }] }),
      ];
    case 'oversize-value':
      return [oversizeValue(prng)];
    default:
      return [frame];
  }
}

/** A frame of an array-bearing type whose count says 2^32 − 1 while only a few bytes follow. */
export function hugeCount(type: 'request' | 'reply' | 'writes' | 'ack' | 'snapshot-chunk', prng: Prng): Buffer {
  const header = Buffer.from([1, MESSAGE_TYPES[type]]);
  const prefix =
    type === 'writes'
      ? Buffer.alloc(24) // epoch, firstSeq and sentAt (0.0)
      : type === 'ack'
        ? Buffer.alloc(16) // epoch and seq (0.0)
        : type === 'snapshot-chunk'
          ? Buffer.alloc(12) // joinId and sentAt
          : Buffer.alloc(0);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(0xffff_ffff);
  return Buffer.concat([header, prefix, count, prng.bytes(prng.below(64))]);
}

/** A one-op request whose key (or pattern) is the given bytes. */
export function badUtf8Request(op: 'get' | 'set' | 'del' | 'keys', bytes: Buffer, prng: Prng): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32LE(prng.below(0x8000_0000));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  const tail =
    op === 'set'
      ? Buffer.concat([Buffer.from([1, 0, 0, 0, 0x76]), Buffer.alloc(8), Buffer.from([0])]) // value "v", ttl 0, wait all
      : op === 'del'
        ? Buffer.from([0])
        : Buffer.alloc(0);
  return Buffer.concat([Buffer.from([1, MESSAGE_TYPES.request, 1, 0, 0, 0]), id, Buffer.from([OP_CODES[op]]), length, bytes, tail]);
}

/** A set whose value is one byte over the default limit (16 MiB + 1). */
export function oversizeValue(prng: Prng): Buffer {
  return encode({
    type: 'request',
    ops: [
      {
        op: 'set',
        id: prng.below(0x8000_0000),
        key: sampleKey(prng),
        value: Buffer.alloc(DEFAULT_LIMITS.maxValueBytes + 1, 0x61),
        ttlMs: 0,
        wait: 'all',
      },
    ],
  });
}

/**
 * The fixed cases every run sends first, to each target: every class of bad input named in the
 * issue, so that even a short run covers them all.
 */
export function edgeCases(prng: Prng): FuzzMessage[] {
  const cases: FuzzMessage[] = [];
  const add = (mutation: string, ...frames: Buffer[]): void => void cases.push({ mutation, frames });
  add('edge:empty', Buffer.alloc(0));
  add('edge:one-byte', Buffer.from([1]));
  for (const version of [0, 2, 0xff]) add('edge:version', Buffer.from([version, MESSAGE_TYPES.request, 0, 0, 0, 0]));
  for (const type of [0, 18, 0xff]) add('edge:type', Buffer.from([1, type]));
  add('edge:two-frames', encode({ type: 'request', ops: [{ op: 'ping', id: 1 }] }), Buffer.from([0]));
  add('edge:many-frames', ...Array.from({ length: 1000 }, (_, i) => (i % 2 === 0 ? Buffer.alloc(0) : Buffer.from([1, 1, 0, 0, 0, 0]))));
  for (const type of ['request', 'reply', 'writes', 'ack', 'snapshot-chunk'] as const) add(`edge:huge-count`, hugeCount(type, prng));
  for (const bytes of INVALID_UTF8)
    for (const op of ['get', 'set', 'del', 'keys'] as const) add('edge:bad-utf8', badUtf8Request(op, bytes, prng));
  const badNodeId = encode({
    type: 'register',
    nodeId: 'x',
    incarnation: '0',
    endpoint: 'tcp://127.0.0.1:1',
    epoch: 0,
    seq: 0,
    keys: 0,
    digest: '0000000000000000',
  });
  badNodeId[6] = 0xff; // the nodeId's one byte
  add('edge:bad-utf8', badNodeId);
  add('edge:unknown-op', Buffer.from([1, MESSAGE_TYPES.request, 1, 0, 0, 0, 7, 0, 0, 0, 99]));
  const badWait = encode({ type: 'request', ops: [{ op: 'del', id: 8, key: sampleKey(prng), wait: 'all' }] });
  badWait[badWait.length - 1] = 9;
  add('edge:bad-wait', badWait);
  const badTtl = encode({
    type: 'request',
    ops: [{ op: 'set', id: 9, key: sampleKey(prng), value: Buffer.from('v'), ttlMs: 0, wait: 'all' }],
  });
  for (const ttl of [-1, 0.5, Number.NaN, Infinity, 2 ** 60]) {
    const frame = Buffer.from(badTtl);
    frame.writeDoubleLE(ttl, frame.length - 9);
    add('edge:bad-ttl', frame);
  }
  for (const seq of [-1, 0.5, Number.NaN, Infinity, 2 ** 53]) {
    const frame = encode({ type: 'ack', epoch: 1, seq: 1, removed: [] });
    frame.writeDoubleLE(seq, 10);
    add('edge:bad-count', frame);
  }
  add('edge:empty-key', encode({ type: 'request', ops: [{ op: 'get', id: 10, key: '' }] }));
  add('edge:empty-request', encode({ type: 'request', ops: [] }));
  add(
    'edge:oversize-key',
    encode({
      type: 'request',
      ops: [{ op: 'set', id: 11, key: 'k'.repeat(DEFAULT_LIMITS.maxKeyBytes + 1), value: Buffer.from('v'), ttlMs: 0, wait: 'all' }],
    }),
  );
  add('edge:oversize-value', oversizeValue(prng));
  add(
    'edge:batch-too-large',
    encode({
      type: 'request',
      ops: Array.from({ length: DEFAULT_LIMITS.maxBatchOps + 1 }, (_, i) => ({ op: 'ping' as const, id: i + 1 })),
    }),
  );
  for (const type of [...NODE_ONLY, ...BROKER_ONLY, 'error' as const, 'snapshot-request' as const, 'snapshot-credit' as const]) {
    add(`edge:wrong-role`, encode(sampleMessage(prng, type)));
  }
  for (const type of MESSAGE_TYPE_NAMES) {
    const frame = encode(sampleMessage(prng, type));
    if (frame.length > 2) add('edge:truncated', frame.subarray(0, frame.length - 1));
    add('edge:trailing', Buffer.concat([frame, Buffer.from([0])]));
  }
  return cases;
}
