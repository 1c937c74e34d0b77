import {
  ERROR_CODES,
  MESSAGE_TYPES,
  OP_CODES,
  encode,
  type MemberNode,
  type Message,
  type MessageType,
  type Op,
  type OpName,
  type Reply,
  type ReplyValue,
  type SnapshotEntry,
  type Write,
} from '@brainer/protocol';
import { DEFAULT_LIMITS } from '@brainer/protocol';
import type { Prng } from './prng.js';

/**
 * Valid messages of every type with random contents, as the fuzzer's starting points. Pure. Keys
 * live in the `fz:` namespace and node ids start `fz-node-`, so that no valid sample can touch the
 * data a fuzz run guards or impersonate a real node. Op ids stay below 2^31; ids from 2^31 up are
 * left to the fuzzer's own pings.
 */
export const MESSAGE_TYPE_NAMES = Object.keys(MESSAGE_TYPES) as MessageType[];
// `flushall` reaches every key, the guarded ones too: valid, it is no bad input. The mutator still
// makes bad frames of it from its op code.
const OP_NAMES = (Object.keys(OP_CODES) as OpName[]).filter((name) => name !== 'flushall');
/** Glob patterns, among them some that a careless compiler might choke on. */
const PATTERNS = ['*', 'fz:*', 'fz:?', 'fz:[0-9]*', '[^a]*', '[]a]', 'a-b', '[z-a]', '\\-', '\\', '[', '**', ''];
/** An endpoint nothing listens on. */
const NOWHERE = 'tcp://127.0.0.1:1';

export function sampleKey(prng: Prng): string {
  return `fz:${prng.below(64)}`;
}

function smallCount(prng: Prng): number {
  return prng.chance(0.8) ? prng.below(100) : prng.below(2 ** 40);
}

function opId(prng: Prng): number {
  return prng.below(0x8000_0000);
}

export function sampleOp(prng: Prng, op: OpName = prng.pick(OP_NAMES)): Op {
  const id = opId(prng);
  switch (op) {
    case 'ping':
    case 'nodes':
    case 'stats':
      return { op, id };
    case 'get':
    case 'ttl':
      return { op, id, key: sampleKey(prng) };
    case 'expire':
      return { op, id, key: sampleKey(prng), ttlMs: prng.int(-5, 5000), wait: prng.chance(0.5) ? 'all' : 'primary' };
    case 'flushall':
      return { op, id, wait: 'all' };
    case 'set':
      return {
        op,
        id,
        key: sampleKey(prng),
        value: prng.bytes(prng.below(64)),
        ttlMs: prng.chance(0.9) ? 0 : prng.int(1, 5000),
        wait: prng.chance(0.5) ? 'all' : 'primary',
      };
    case 'del':
      return { op, id, key: sampleKey(prng), wait: prng.chance(0.5) ? 'all' : 'primary' };
    case 'keys':
      return { op, id, pattern: prng.pick(PATTERNS) };
    case 'scan':
      return {
        op,
        id,
        pattern: prng.pick(PATTERNS),
        after: prng.chance(0.5) ? '' : sampleKey(prng),
        count: prng.pick([0, 1, 100, 100_001]),
      };
    case 'bucket':
      return { op, id, bucket: prng.chance(0.9) ? sampleKey(prng) : prng.pick(['', 'a}b', '{', '}']) };
    case 'evict-sample':
      return { op, id, count: prng.below(100), volatile: prng.chance(0.5) };
    default:
      // An op added to the protocol later: most carry nothing but their id.
      return { op, id } as Op;
  }
}

function sampleReplyValue(prng: Prng): ReplyValue {
  switch (prng.below(7)) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return prng.bytes(prng.below(32));
    case 3:
      return prng.below(10);
    case 4:
      return [sampleKey(prng), sampleKey(prng)];
    case 5:
      return { entries: [[sampleKey(prng), prng.bytes(prng.below(32))]] };
    default:
      return { json: { fuzz: prng.below(100) } };
  }
}

function sampleReply(prng: Prng): Reply {
  return prng.chance(0.7)
    ? { id: opId(prng), ok: true, value: sampleReplyValue(prng) }
    : { id: opId(prng), ok: false, code: prng.pick(ERROR_CODES), message: 'fuzz' };
}

function sampleWrite(prng: Prng): Write {
  const roll = prng.below(10);
  if (roll < 6) return { kind: 'set', key: sampleKey(prng), value: prng.bytes(prng.below(32)), expiresAt: 0 };
  if (roll < 9) return { kind: 'del', key: sampleKey(prng) };
  return { kind: 'expire', key: sampleKey(prng), expiresAt: prng.int(1, 5000) };
}

function sampleMember(prng: Prng): MemberNode {
  return { id: nodeId(prng), endpoint: NOWHERE };
}

function sampleEntry(prng: Prng): SnapshotEntry {
  return { key: sampleKey(prng), value: prng.bytes(prng.below(32)), seq: smallCount(prng), expiresAt: 0 };
}

function nodeId(prng: Prng): string {
  return `fz-node-${prng.below(8)}`;
}

function digest(prng: Prng): string {
  return prng.bytes(8).toString('hex');
}

function list<T>(prng: Prng, max: number, make: (prng: Prng) => T): T[] {
  return Array.from({ length: prng.below(max + 1) }, () => make(prng));
}

/** A valid message of the given type (random when not given). */
export function sampleMessage(prng: Prng, type: MessageType = prng.pick(MESSAGE_TYPE_NAMES)): Message {
  switch (type) {
    case 'request':
      return { type, ops: list(prng, 8, (p) => sampleOp(p)) };
    case 'reply':
      return { type, replies: list(prng, 8, sampleReply) };
    case 'register':
    case 'resume':
      return {
        type,
        nodeId: nodeId(prng),
        incarnation: digest(prng),
        endpoint: NOWHERE,
        epoch: smallCount(prng),
        seq: smallCount(prng),
        keys: smallCount(prng),
        digest: digest(prng),
      };
    case 'welcome':
      return {
        type,
        epoch: smallCount(prng),
        state: prng.chance(0.5) ? 'ready' : 'joining',
        seq: smallCount(prng),
        reset: prng.chance(0.5),
        joinId: prng.below(16),
        sourceId: nodeId(prng),
        sourceEndpoint: NOWHERE,
        heartbeatMs: prng.int(1, 1000),
        leaseMs: prng.int(0, 2000),
        limits: DEFAULT_LIMITS,
      };
    case 'heartbeat':
      return {
        type,
        nodeId: nodeId(prng),
        sentAt: prng.next() * 1e6,
        epoch: smallCount(prng),
        seq: smallCount(prng),
        keys: smallCount(prng),
        digest: digest(prng),
        state: prng.chance(0.5) ? 'ready' : 'joining',
        progress: { received: smallCount(prng), total: smallCount(prng) },
      };
    case 'catch-up':
      return {
        type,
        epoch: smallCount(prng),
        fromSeq: smallCount(prng),
        seq: smallCount(prng),
        joinId: prng.below(16),
        heartbeatMs: prng.int(1, 1000),
        leaseMs: prng.int(0, 2000),
        limits: DEFAULT_LIMITS,
      };
    case 'heartbeat-ack':
      return { type, sentAt: prng.next() * 1e6, epoch: smallCount(prng), leaseMs: prng.below(5000), brokerAt: prng.next() * 1e6 };
    case 'writes':
      return { type, epoch: smallCount(prng), firstSeq: smallCount(prng), sentAt: prng.next() * 1e6, writes: list(prng, 6, sampleWrite) };
    case 'ack':
      return { type, epoch: smallCount(prng), seq: smallCount(prng), removed: list(prng, 4, smallCount) };
    case 'error':
      return { type, code: prng.pick(ERROR_CODES), message: 'fuzz' };
    case 'unregister':
      return { type, nodeId: nodeId(prng) };
    case 'caught-up':
      return { type, joinId: prng.below(16), seq: smallCount(prng) };
    case 'join-failed':
      return { type, joinId: prng.below(16), reason: 'fuzz' };
    case 'snapshot-request':
      return { type, joinId: prng.below(16), minSeq: prng.chance(0.5) ? 0 : smallCount(prng), credit: prng.int(0, 4) };
    case 'snapshot-begin':
      return { type, joinId: prng.below(16), seq: smallCount(prng), totalKeys: smallCount(prng) };
    case 'snapshot-chunk':
      return { type, joinId: prng.below(16), sentAt: prng.next() * 1e6, entries: list(prng, 4, sampleEntry) };
    case 'snapshot-end':
      return { type, joinId: prng.below(16), count: smallCount(prng) };
    case 'snapshot-credit':
      return { type, joinId: prng.below(16), credit: prng.int(0, 4) };
    case 'membership':
      return { type, version: smallCount(prng), epoch: smallCount(prng), partitioner: 'consistent', nodes: list(prng, 3, sampleMember) };
  }
}

/** A valid encoded frame of a random type; requests are drawn more often, being the main input. */
export function sampleFrame(prng: Prng): Buffer {
  const message = sampleMessage(prng, prng.chance(0.4) ? 'request' : prng.pick(MESSAGE_TYPE_NAMES));
  try {
    return encode(message);
  } catch {
    // A type or op this file does not know the fields of yet.
    return encode({ type: 'request', ops: [{ op: 'ping', id: 1 }] });
  }
}
