import { BrainerError, isErrorCode } from './errors.js';
import { FrameReader, malformed } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import type { Limits } from './limits.js';
import type { MemberNode, Message, Op, Reply, ReplyValue, SnapshotEntry, Write } from './messages.js';
import {
  invert,
  MESSAGE_TYPES,
  NODE_STATES,
  OP_CODES,
  PROTOCOL_VERSION,
  REPLY_TAGS,
  WAIT_MODES,
  WRITE_KINDS,
  type MessageType,
  type NodeState,
  type OpName,
  type WaitMode,
} from './op-codes.js';

const TYPE_BY_CODE = invert(MESSAGE_TYPES);
const OP_BY_CODE = invert(OP_CODES);
const STATE_BY_CODE = invert(NODE_STATES);
const WAIT_BY_CODE = invert(WAIT_MODES);

/**
 * A frame that could not be decoded. `opIds` holds the ids of the request ops read before the
 * failure, so that a server can still answer each of them with `code`.
 */
export class DecodeError extends BrainerError {
  constructor(
    error: BrainerError,
    readonly opIds: number[] = [],
  ) {
    super(error.code, error.message, { cause: error });
    this.name = 'DecodeError';
  }
}

/** Encodes one message as one frame: version byte, type byte, body. */
export function encode(message: Message): Buffer {
  const w = new FrameWriter(initialSize(message));
  w.u8(PROTOCOL_VERSION).u8(MESSAGE_TYPES[message.type]);
  switch (message.type) {
    case 'request':
      w.u32(message.ops.length);
      for (const op of message.ops) writeOp(w, op);
      break;
    case 'reply':
      w.u32(message.replies.length);
      for (const reply of message.replies) writeReply(w, reply);
      break;
    case 'register':
    case 'resume':
      w.string(message.nodeId).string(message.endpoint).f64(message.epoch).f64(message.seq);
      w.f64(message.keys).string(message.digest).string(message.incarnation);
      break;
    case 'welcome':
      w.f64(message.epoch)
        .u8(NODE_STATES[message.state])
        .f64(message.seq)
        .u8(message.reset ? 1 : 0);
      w.u32(message.joinId).string(message.sourceId).string(message.sourceEndpoint);
      w.u32(message.heartbeatMs).u32(message.leaseMs);
      writeLimits(w, message.limits);
      break;
    case 'catch-up':
      w.f64(message.epoch).f64(message.fromSeq).f64(message.seq).u32(message.joinId);
      w.u32(message.heartbeatMs).u32(message.leaseMs);
      writeLimits(w, message.limits);
      break;
    case 'heartbeat':
      w.string(message.nodeId).f64(message.sentAt).f64(message.epoch).f64(message.seq);
      w.f64(message.keys).string(message.digest).u8(NODE_STATES[message.state]);
      w.f64(message.progress.received).f64(message.progress.total);
      break;
    case 'heartbeat-ack':
      w.f64(message.sentAt).f64(message.epoch).u32(message.leaseMs).f64(message.brokerAt);
      break;
    case 'writes':
      w.f64(message.epoch).f64(message.firstSeq).f64(message.sentAt).u32(message.writes.length);
      for (const write of message.writes) writeWrite(w, write);
      break;
    case 'ack':
      w.f64(message.epoch).f64(message.seq).u32(message.removed.length);
      for (const seq of message.removed) w.f64(seq);
      break;
    case 'error':
      w.string(message.code).string(message.message);
      break;
    case 'unregister':
      w.string(message.nodeId);
      break;
    case 'caught-up':
      w.u32(message.joinId).f64(message.seq);
      break;
    case 'join-failed':
      w.u32(message.joinId).string(message.reason);
      break;
    case 'snapshot-request':
      w.u32(message.joinId).f64(message.minSeq).u32(message.credit);
      break;
    case 'snapshot-begin':
      w.u32(message.joinId).f64(message.seq).f64(message.totalKeys);
      break;
    case 'snapshot-chunk':
      w.u32(message.joinId).f64(message.sentAt).u32(message.entries.length);
      for (const entry of message.entries) {
        w.string(entry.key).bytes(entry.value).f64(entry.seq).f64(entry.expiresAt);
      }
      break;
    case 'snapshot-end':
      w.u32(message.joinId).f64(message.count);
      break;
    case 'snapshot-credit':
      w.u32(message.joinId).u32(message.credit);
      break;
    case 'membership':
      w.f64(message.version).f64(message.epoch).string(message.partitioner).u32(message.nodes.length);
      for (const node of message.nodes) w.string(node.id).string(node.endpoint);
      break;
  }
  return w.finish();
}

/** Decodes one frame. Throws a DecodeError with a code for anything it cannot accept. */
export function decode(frame: Buffer): Message {
  const r = new FrameReader(frame);
  const opIds: number[] = [];
  try {
    if (frame.length < 2) throw malformed('frame is shorter than its header');
    const version = r.u8();
    if (version !== PROTOCOL_VERSION) {
      throw new BrainerError('ERR_BAD_VERSION', `protocol version ${version} is not supported (expected ${PROTOCOL_VERSION})`);
    }
    const typeCode = r.u8();
    const type = TYPE_BY_CODE.get(typeCode);
    if (type === undefined) throw new BrainerError('ERR_UNKNOWN_MESSAGE', `unknown message type ${typeCode}`);
    const message = readBody(r, type, opIds);
    r.end();
    return message;
  } catch (error) {
    if (error instanceof DecodeError) throw error;
    if (error instanceof BrainerError) throw new DecodeError(error, opIds);
    throw new DecodeError(new BrainerError('ERR_MALFORMED', String(error)), opIds);
  }
}

function readBody(r: FrameReader, type: MessageType, opIds: number[]): Message {
  switch (type) {
    case 'request': {
      const count = r.length(5);
      const ops: Op[] = new Array(count);
      for (let i = 0; i < count; i++) ops[i] = readOp(r, opIds);
      return { type, ops };
    }
    case 'reply': {
      const count = r.length(5);
      const replies: Reply[] = new Array(count);
      for (let i = 0; i < count; i++) replies[i] = readReply(r);
      return { type, replies };
    }
    case 'register':
    case 'resume':
      return {
        type,
        nodeId: r.string(),
        endpoint: r.string(),
        epoch: r.count('epoch'),
        seq: r.count('seq'),
        keys: r.count('keys'),
        digest: r.string(),
        incarnation: r.string(),
      };
    case 'welcome':
      return {
        type,
        epoch: r.count('epoch'),
        state: readState(r),
        seq: r.count('seq'),
        reset: r.u8() === 1,
        joinId: r.u32(),
        sourceId: r.string(),
        sourceEndpoint: r.string(),
        heartbeatMs: r.u32(),
        leaseMs: r.u32(),
        limits: readLimits(r),
      };
    case 'catch-up':
      return {
        type,
        epoch: r.count('epoch'),
        fromSeq: r.count('fromSeq'),
        seq: r.count('seq'),
        joinId: r.u32(),
        heartbeatMs: r.u32(),
        leaseMs: r.u32(),
        limits: readLimits(r),
      };
    case 'heartbeat':
      return {
        type,
        nodeId: r.string(),
        sentAt: r.f64(),
        epoch: r.count('epoch'),
        seq: r.count('seq'),
        keys: r.count('keys'),
        digest: r.string(),
        state: readState(r),
        progress: { received: r.count('received'), total: r.count('total') },
      };
    case 'heartbeat-ack':
      return { type, sentAt: r.f64(), epoch: r.count('epoch'), leaseMs: r.u32(), brokerAt: r.finite('brokerAt') };
    case 'writes': {
      const epoch = r.count('epoch');
      const firstSeq = r.count('firstSeq');
      const sentAt = r.finite('sentAt');
      // The smallest write is a flush with no origin: a kind byte and an origin flag.
      const count = r.length(2);
      const writes: Write[] = new Array(count);
      for (let i = 0; i < count; i++) writes[i] = readWrite(r);
      return { type, epoch, firstSeq, sentAt, writes };
    }
    case 'ack': {
      const epoch = r.count('epoch');
      const seq = r.count('seq');
      const count = r.length(8);
      const removed: number[] = new Array(count);
      for (let i = 0; i < count; i++) removed[i] = r.count('removed');
      return { type, epoch, seq, removed };
    }
    case 'error': {
      const code = r.string();
      const message = r.string();
      return isErrorCode(code) ? { type, code, message } : { type, code: 'ERR_INTERNAL', message: `${code}: ${message}` };
    }
    case 'unregister':
      return { type, nodeId: r.string() };
    case 'caught-up':
      return { type, joinId: r.u32(), seq: r.count('seq') };
    case 'join-failed':
      return { type, joinId: r.u32(), reason: r.string() };
    case 'snapshot-request':
      return { type, joinId: r.u32(), minSeq: r.count('minSeq'), credit: r.u32() };
    case 'snapshot-begin':
      return { type, joinId: r.u32(), seq: r.count('seq'), totalKeys: r.count('totalKeys') };
    case 'snapshot-chunk': {
      const joinId = r.u32();
      const sentAt = r.finite('sentAt');
      const count = r.length(24);
      const entries: SnapshotEntry[] = new Array(count);
      for (let i = 0; i < count; i++) {
        entries[i] = { key: r.string(), value: r.bytes(), seq: r.count('seq'), expiresAt: r.finite('expiresAt') };
      }
      return { type, joinId, sentAt, entries };
    }
    case 'snapshot-end':
      return { type, joinId: r.u32(), count: r.count('count') };
    case 'snapshot-credit':
      return { type, joinId: r.u32(), credit: r.u32() };
    case 'membership': {
      const version = r.count('version');
      const epoch = r.count('epoch');
      const partitioner = r.string();
      const count = r.length(8);
      const nodes: MemberNode[] = new Array(count);
      for (let i = 0; i < count; i++) nodes[i] = { id: r.string(), endpoint: r.string() };
      return { type, version, epoch, partitioner, nodes };
    }
  }
}

function writeOp(w: FrameWriter, op: Op): void {
  w.u32(op.id).u8(OP_CODES[op.op]);
  switch (op.op) {
    case 'get':
    case 'ttl':
      w.string(op.key);
      break;
    case 'expire':
      w.string(op.key).f64(op.ttlMs).u8(WAIT_MODES[op.wait]);
      break;
    case 'flushall':
      w.u8(WAIT_MODES[op.wait]);
      break;
    case 'set':
      w.string(op.key).bytes(op.value).f64(op.ttlMs).u8(WAIT_MODES[op.wait]);
      break;
    case 'del':
      w.string(op.key).u8(WAIT_MODES[op.wait]);
      break;
    case 'keys':
      w.string(op.pattern);
      break;
    case 'scan':
      w.string(op.pattern).string(op.after).u32(op.count);
      break;
    case 'bucket':
      w.string(op.bucket);
      break;
    case 'evict-sample':
      w.u32(op.count).u8(op.volatile ? 1 : 0);
      break;
    case 'ping':
    case 'nodes':
    case 'stats':
    case 'recent':
    case 'expiries':
    case 'watch':
      break;
  }
}

function readOp(r: FrameReader, opIds: number[]): Op {
  const id = r.u32();
  opIds.push(id);
  const code = r.u8();
  const op: OpName | undefined = OP_BY_CODE.get(code);
  switch (op) {
    case 'get':
    case 'ttl':
      return { op, id, key: r.key() };
    case 'expire': {
      const key = r.key();
      const ttlMs = r.f64();
      if (!Number.isSafeInteger(ttlMs)) throw new BrainerError('ERR_BAD_REQUEST', 'ttl must be a whole number of ms');
      return { op, id, key, ttlMs, wait: readWait(r) };
    }
    case 'flushall':
      return { op, id, wait: readWait(r) };
    case 'set': {
      const key = r.key();
      const value = r.bytes();
      const ttlMs = r.f64();
      if (!Number.isSafeInteger(ttlMs) || ttlMs < 0)
        throw new BrainerError('ERR_BAD_REQUEST', 'ttl must be a whole number of ms, 0 for none');
      return { op, id, key, value, ttlMs, wait: readWait(r) };
    }
    case 'del':
      return { op, id, key: r.key(), wait: readWait(r) };
    case 'keys':
      return { op, id, pattern: r.key() };
    case 'scan':
      return { op, id, pattern: r.key(), after: r.key(), count: r.u32() };
    case 'bucket':
      return { op, id, bucket: r.key() };
    case 'evict-sample':
      return { op, id, count: r.u32(), volatile: r.u8() === 1 };
    case 'ping':
    case 'nodes':
    case 'stats':
    case 'recent':
    case 'expiries':
    case 'watch':
      return { op, id };
    case undefined:
      throw new BrainerError('ERR_UNKNOWN_OP', `unknown op code ${code}`);
  }
}

function writeReply(w: FrameWriter, reply: Reply): void {
  w.u32(reply.id);
  if (!reply.ok) {
    w.u8(REPLY_TAGS.error).string(reply.code).string(reply.message);
    return;
  }
  const value = reply.value;
  if (value === undefined) w.u8(REPLY_TAGS.none);
  else if (value === null) w.u8(REPLY_TAGS.nil);
  else if (Buffer.isBuffer(value)) w.u8(REPLY_TAGS.bytes).bytes(value);
  else if (typeof value === 'number') w.u8(REPLY_TAGS.number).f64(value);
  else if (Array.isArray(value)) {
    w.u8(REPLY_TAGS.strings).u32(value.length);
    for (const item of value) w.string(item);
  } else if ('entries' in value) {
    w.u8(REPLY_TAGS.entries).u32(value.entries.length);
    for (const [name, bytes] of value.entries) w.string(name).bytes(bytes);
  } else w.u8(REPLY_TAGS.json).string(JSON.stringify(value.json) ?? 'null');
}

function readReply(r: FrameReader): Reply {
  const id = r.u32();
  const tag = r.u8();
  switch (tag) {
    case REPLY_TAGS.none:
      return { id, ok: true, value: undefined };
    case REPLY_TAGS.nil:
      return { id, ok: true, value: null };
    case REPLY_TAGS.bytes:
      return { id, ok: true, value: r.bytes() };
    case REPLY_TAGS.number:
      return { id, ok: true, value: r.f64() };
    case REPLY_TAGS.strings: {
      const count = r.length(4);
      const strings: string[] = new Array(count);
      for (let i = 0; i < count; i++) strings[i] = r.string();
      return { id, ok: true, value: strings };
    }
    case REPLY_TAGS.json:
      return { id, ok: true, value: readJson(r) };
    case REPLY_TAGS.entries: {
      const count = r.length(8);
      const entries: [string, Buffer][] = new Array(count);
      for (let i = 0; i < count; i++) entries[i] = [r.string(), r.bytes()];
      return { id, ok: true, value: { entries } };
    }
    case REPLY_TAGS.error: {
      const code = r.string();
      const message = r.string();
      return isErrorCode(code) ? { id, ok: false, code, message } : { id, ok: false, code: 'ERR_INTERNAL', message: `${code}: ${message}` };
    }
    default:
      throw malformed(`unknown reply tag ${tag}`);
  }
}

function readJson(r: FrameReader): ReplyValue {
  const text = r.string();
  try {
    return { json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new BrainerError('ERR_MALFORMED', 'reply carries invalid JSON', { cause: error });
  }
}

function writeWrite(w: FrameWriter, write: Write): void {
  w.u8(WRITE_KINDS[write.kind]);
  if (write.kind !== 'flush') w.string(write.key);
  if (write.kind === 'set') w.bytes(write.value).f64(write.expiresAt);
  if (write.kind === 'expire') w.f64(write.expiresAt);
  if (write.origin) w.u8(1).string(write.origin.client).u32(write.origin.opId);
  else w.u8(0);
}

function readWrite(r: FrameReader): Write {
  const kind = r.u8();
  let write: Write;
  if (kind === WRITE_KINDS.set) write = { kind: 'set', key: r.string(), value: r.bytes(), expiresAt: r.finite('expiresAt') };
  else if (kind === WRITE_KINDS.del) write = { kind: 'del', key: r.string() };
  else if (kind === WRITE_KINDS.expire) write = { kind: 'expire', key: r.string(), expiresAt: r.finite('expiresAt') };
  else if (kind === WRITE_KINDS.flush) write = { kind: 'flush' };
  else throw malformed(`unknown write kind ${kind}`);
  const hasOrigin = r.u8();
  if (hasOrigin === 1) write.origin = { client: r.string(), opId: r.u32() };
  else if (hasOrigin !== 0) throw malformed(`bad origin flag ${hasOrigin}`);
  return write;
}

function readState(r: FrameReader): NodeState {
  const code = r.u8();
  const state = STATE_BY_CODE.get(code);
  if (state === undefined) throw malformed(`unknown node state ${code}`);
  return state;
}

function readWait(r: FrameReader): WaitMode {
  const code = r.u8();
  const wait = WAIT_BY_CODE.get(code);
  if (wait === undefined) throw new BrainerError('ERR_BAD_REQUEST', `unknown wait mode ${code}`);
  return wait;
}

/** The cluster's limits, in `welcome` and `catch-up`: four u32, in the order of `Limits`. */
function writeLimits(w: FrameWriter, limits: Limits): void {
  w.u32(limits.maxKeyBytes).u32(limits.maxValueBytes).u32(limits.maxBatchOps).u32(limits.maxFrameBytes);
}

function readLimits(r: FrameReader): Limits {
  return { maxKeyBytes: r.u32(), maxValueBytes: r.u32(), maxBatchOps: r.u32(), maxFrameBytes: r.u32() };
}

/** A starting size that avoids regrowth for the common small messages. */
/** The bytes of a `writes` frame before its writes: version, type, epoch, firstSeq, sentAt, count. */
const WRITES_HEADER_BYTES = 30;

/**
 * At most how many bytes `write` takes in a `writes` frame (strings counted at 3 bytes a UTF-16 unit,
 * as the writer reserves them), so that encoding a batch of big values allocates once and never
 * copies a value again to grow.
 */
export function writeBytesBound(write: Write): number {
  const key = write.kind === 'flush' ? 1 : 5 + write.key.length * 3;
  const value = write.kind === 'set' ? 12 + write.value.length : write.kind === 'expire' ? 8 : 0;
  const origin = write.origin ? 1 + 4 + write.origin.client.length * 3 + 4 : 1;
  return key + value + origin;
}

function initialSize(message: Message): number {
  if (message.type === 'request') return 16 + message.ops.length * 48;
  if (message.type === 'writes') return WRITES_HEADER_BYTES + message.writes.reduce((sum, write) => sum + writeBytesBound(write), 0);
  if (message.type === 'reply') return 16 + message.replies.length * 128;
  return 128;
}
