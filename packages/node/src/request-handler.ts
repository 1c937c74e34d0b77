import {
  BrainerError,
  batchTooLarge,
  bucketPrefix,
  compileGlob,
  evictSampleJson,
  validateOp,
  type ExpiriesAnswer,
  type Limits,
  type Op,
  type Reply,
} from '@brainer/protocol';
import type { Replica } from './replica.js';

/** Most entries one `evict-sample` answer holds, whatever it asks for. */
const MAX_EVICT_SAMPLE = 10_000;

/**
 * Answers the ops a node serves: reads forwarded by the broker, and direct reads from clients. A
 * node that is not ready serves no read (invariant 3); `canServe` adds the lease check for direct reads.
 */
export class RequestHandler {
  /** Reads answered, reads refused, and reads answered while not ready (which must stay 0); then those of direct requests. */
  readonly counts = { served: 0, refused: 0, servedWhileNotReady: 0, directRequests: 0, directServed: 0, directRefused: 0 };

  constructor(
    private readonly replica: Replica,
    private readonly stats: () => Record<string, unknown>,
    private readonly maxReplyBytes: number,
  ) {}

  /**
   * Requests from clients straight to this node, checked against the size limits first (the
   * broker checks what goes through it).
   */
  answerDirect(ops: Op[], limits: Limits, canServe: () => Reply | undefined): Reply[] {
    this.counts.directRequests += ops.length;
    // A write is refused for what it is (ERR_WRONG_ROLE), whatever its size.
    const check = (op: Op): Reply | undefined => (op.op === 'set' || op.op === 'del' ? undefined : validateOp(op, limits));
    const { served, refused } = this.counts;
    const replies = batchTooLarge(ops, limits) ?? ops.map((op) => check(op) ?? this.answer(op, canServe));
    this.counts.directServed += this.counts.served - served;
    this.counts.directRefused += this.counts.refused - refused;
    return replies;
  }

  answer(op: Op, canServe: () => Reply | undefined): Reply {
    switch (op.op) {
      case 'ping':
        return { id: op.id, ok: true, value: undefined };
      case 'stats':
        return { id: op.id, ok: true, value: { json: this.stats() } };
      case 'recent':
        return { id: op.id, ok: true, value: { json: this.replica.recent.list() } };
      case 'expiries':
        return { id: op.id, ok: true, value: { json: this.expiries() } };
      case 'get': {
        const refusal = this.check(canServe);
        if (refusal) return { ...refusal, id: op.id };
        const entry = this.replica.engine.get(op.key, this.replica.wallClock());
        return { id: op.id, ok: true, value: entry ? entry.value : null };
      }
      case 'keys': {
        const refusal = this.check(canServe);
        if (refusal) return { ...refusal, id: op.id };
        try {
          return { id: op.id, ok: true, value: this.replica.engine.keys(compileGlob(op.pattern), this.replica.wallClock()) };
        } catch (error) {
          const code = error instanceof BrainerError ? error.code : 'ERR_INTERNAL';
          return { id: op.id, ok: false, code, message: (error as Error).message };
        }
      }
      case 'bucket': {
        const refusal = this.check(canServe);
        if (refusal) return { ...refusal, id: op.id };
        return this.bucket(op.id, op.bucket);
      }
      case 'evict-sample':
        return this.evictSample(op);
      case 'watch':
        return { id: op.id, ok: false, code: 'ERR_WRONG_ROLE', message: 'membership comes from the broker, not from a node' };
      case 'set':
      case 'del':
      case 'nodes':
        return {
          id: op.id,
          ok: false,
          code: 'ERR_WRONG_ROLE',
          message: `a node in a cluster does not take ${op.op}; send it to the broker, which sequences writes`,
        };
    }
  }

  private check(canServe: () => Reply | undefined): Reply | undefined {
    const refusal = canServe();
    if (refusal) this.counts.refused++;
    else {
      this.counts.served++;
      if (this.replica.state !== 'ready') this.counts.servedWhileNotReady++;
    }
    return refusal;
  }

  /** A bucket's items, found by the prefix `{bucket}`, as long as they fit in the reply cap. */
  private bucket(id: number, bucket: string): Reply {
    const prefix = bucketPrefix(bucket);
    const entries: [string, Buffer][] = [];
    let bytes = 0;
    this.replica.engine.scanPrefix(prefix, this.replica.wallClock(), (key, value) => {
      const item = key.slice(prefix.length);
      bytes += 8 + Buffer.byteLength(item) + value.length;
      entries.push([item, value]);
      return bytes <= this.maxReplyBytes;
    });
    if (bytes > this.maxReplyBytes) {
      const message = `bucket ${JSON.stringify(bucket)} holds more than ${this.maxReplyBytes} bytes; read its items one by one`;
      return { id, ok: false, code: 'ERR_REPLY_TOO_LARGE', message };
    }
    return { id, ok: true, value: { entries } };
  }

  /** The node's used memory as of its stream position, and eviction candidates with their access figures. */
  private evictSample(op: Extract<Op, { op: 'evict-sample' }>): Reply {
    const engine = this.replica.engine;
    if (engine.usedBytes === undefined || engine.sample === undefined) {
      return { id: op.id, ok: false, code: 'ERR_UNKNOWN_OP', message: "this node's storage engine does not report its memory" };
    }
    const samples = op.count > 0 ? engine.sample(Math.min(op.count, MAX_EVICT_SAMPLE), op.volatile) : [];
    const answer = { seq: this.replica.position, usedMemory: engine.usedBytes, keys: engine.size, samples };
    return { id: op.id, ok: true, value: { json: evictSampleJson(answer) } };
  }

  /** Every key that carries a TTL, with its expiry on this node's clock as of `sentAt`: one pass over the store. */
  private expiries(): ExpiriesAnswer {
    const keys: [string, number][] = [];
    const sentAt = this.replica.wallClock();
    const cursor = this.replica.engine.cursor();
    while (!cursor.next((key, _bytes, _start, _end, _seq, expiresAt) => expiresAt !== 0 && keys.push([key, expiresAt]), 10_000, Infinity));
    return { sentAt, keys };
  }
}
