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
import { KeyPage } from './key-page.js';
import type { Replica } from './replica.js';

/** Entries a `scan` visits in one turn of the event loop (about a millisecond). */
const SCAN_STEP_ENTRIES = 5000;

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
      case 'ttl': {
        const refusal = this.check(canServe);
        if (refusal) return { ...refusal, id: op.id };
        const now = this.replica.wallClock();
        const entry = this.replica.engine.get(op.key, now);
        return { id: op.id, ok: true, value: timeLeft(entry, now) };
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
      case 'scan': {
        const refusal = this.check(canServe);
        if (refusal) return { ...refusal, id: op.id };
        return this.scan(op);
      }
      case 'evict-sample':
        return this.evictSample(op);
      case 'watch':
        return { id: op.id, ok: false, code: 'ERR_WRONG_ROLE', message: 'membership comes from the broker, not from a node' };
      case 'set':
      case 'del':
      case 'expire':
      case 'flushall':
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

  /**
   * Answers a `scan` over several turns of the event loop, `SCAN_STEP_ENTRIES` entries a turn with
   * a millisecond's pause after each, so that writes, acks and heartbeats go on while a large store
   * is walked, and the other processes of a busy host get the CPU too: a listing is slower, writes
   * are not (on 2 shared cores, a write's p99 under 60 listings of 200,000 keys went from 67 ms with
   * no pause to 19 ms). The node must still serve reads when the walk ends, or the answer is the
   * refusal (the broker then asks another node).
   */
  async answerScanInSteps(op: Extract<Op, { op: 'scan' }>, canServe: () => Reply | undefined): Promise<Reply> {
    const refusal = this.check(canServe);
    if (refusal) return { ...refusal, id: op.id };
    const walk = this.scanWalk(op);
    if (walk.ok === false) return walk.reply;
    while (!walk.step()) await new Promise((resolve) => setTimeout(resolve, 1));
    const late = canServe();
    return late ? { ...late, id: op.id } : walk.reply();
  }

  /** A `scan` in one go, for a direct request, whose answer is due in the same turn. */
  private scan(op: Extract<Op, { op: 'scan' }>): Reply {
    const walk = this.scanWalk(op);
    if (walk.ok === false) return walk.reply;
    while (!walk.step());
    return walk.reply();
  }

  /**
   * A walk over the store for one page of a listing, in key order: `step` visits the next entries
   * and answers true once every one has been; no more than `count` keys are kept at once. It goes
   * by the store's cursor, which survives the writes applied between steps.
   */
  private scanWalk(op: Extract<Op, { op: 'scan' }>): { ok: true; step(): boolean; reply(): Reply } | { ok: false; reply: Reply } {
    let matches: (key: string) => boolean;
    try {
      matches = compileGlob(op.pattern);
    } catch (error) {
      return { ok: false, reply: { id: op.id, ok: false, code: 'ERR_BAD_PATTERN', message: (error as Error).message } };
    }
    const head = literalHead(op.pattern);
    const page = new KeyPage(op.after, op.count);
    const cursor = this.replica.engine.cursor();
    return {
      ok: true,
      step: () => {
        const now = this.replica.wallClock();
        return cursor.next(
          (key, _bytes, _start, _end, _seq, expiresAt) => {
            if ((expiresAt === 0 || expiresAt > now) && key.startsWith(head) && matches(key)) page.offer(key);
          },
          SCAN_STEP_ENTRIES,
          Number.POSITIVE_INFINITY,
        );
      },
      reply: () => ({ id: op.id, ok: true, value: page.keys() }),
    };
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

/** The start of a glob up to its first wildcard, escapes resolved: every key it matches starts with it. */
function literalHead(pattern: string): string {
  let head = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' || char === '?' || char === '[') break;
    head += char === '\\' && i + 1 < pattern.length ? pattern[++i]! : char;
  }
  return head;
}

/** A key's time left in ms, as Redis's PTTL answers it: -2 for a missing key, -1 for one with no TTL. */
export function timeLeft(entry: { expiresAt: number } | undefined, now: number): number {
  if (entry === undefined) return -2;
  if (entry.expiresAt === 0) return -1;
  return Math.max(1, Math.ceil(entry.expiresAt - now));
}
