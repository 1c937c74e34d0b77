import {
  BrainerError,
  DEFAULT_BROKER_ENDPOINT,
  bucketPrefix,
  encode,
  type Logger,
  type Message,
  type NodeInfo,
  type ReplyValue,
  jsonOf,
} from '@brainer/protocol';
import { BrokerLink } from './broker-link.js';
import { BrokerList } from './broker-list.js';
import { Bucket } from './bucket.js';
import type { DelOptions, ScanOptions, SetOptions } from './call-options.js';
import { optionsObject, requireKey, signedWholeMs, valueBytes, waitMode, wholeMs, type Value } from './call-arguments.js';
import { DirectReads, type DirectReadOp } from './direct-reads.js';
import { resolveBrainerOptions, type BrainerOptions } from './options.js';
import { PendingRequests, type OpInput } from './pending-requests.js';
import { deliverReplies } from './reply-frames.js';

/** How often a client with direct reads renews its membership watch; the broker forgets it after 5 s. */
const WATCH_RENEW_MS = 1000;

/** What `verify()` found. */
export interface VerifyResult {
  /** True when there is at least one ready node, all ready nodes hold the same digest, and none has an `error`. */
  ok: boolean;
  /** The ready nodes as last reported. */
  nodes: NodeInfo[];
  /** The digest most ready nodes hold. */
  digest: string;
  /** The ready nodes whose digest differs from it. */
  differing: NodeInfo[];
  /** The ready nodes the broker flags as possibly missing acknowledged writes (equal digests do not clear them). */
  failing: NodeInfo[];
}

/**
 * A Brainer client. Calls may run concurrently; the ones made in the same tick travel in one frame,
 * and each rejects with a BrainerError (code ERR_TIMEOUT and the like) if it is not answered in time.
 *
 * Given several brokers (one leads, the others stand by), it talks to one at a time: on a standby's
 * ERR_NOT_LEADER it goes to the leader that names, else to the next broker of its list, and it moves
 * on too when a broker refuses the connection or leaves a call unanswered for `attemptTimeoutMs`.
 * Waiting calls are sent again there with the same ids and the same client identity, so a write is
 * applied once, all within each call's `timeoutMs`.
 */
export class Brainer {
  /** The brokers given, as `E1,E2` (one endpoint alone as it was given). */
  readonly endpoint: string;
  /** The brokers given, in order, without duplicates. */
  readonly brokers: readonly string[];
  private readonly options: BrainerOptions;
  private readonly logger: Logger;
  private readonly link: BrokerLink;
  private readonly requests: PendingRequests;
  /** Set while reads go straight to nodes: until the broker says it cannot push membership. */
  private directReads: DirectReads | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private watchInFlight = false;
  /** Set once the first call has opened the connection and started the membership watch. */
  private opened = false;
  private closed = false;

  /**
   * `brokers`: the broker's endpoint, or several, as `'E1,E2'` or `['E1', 'E2']` (malformed ones
   * throw ERR_INVALID_OPTION). Default `broker.sock` in the private ipc directory, as the broker's own default.
   */
  constructor(brokers: string | readonly string[] = DEFAULT_BROKER_ENDPOINT, options: Partial<BrainerOptions> = {}) {
    const list = new BrokerList(brokers);
    this.brokers = list.endpoints;
    this.endpoint = this.brokers.join(',');
    this.options = resolveBrainerOptions(options);
    this.logger = this.options.logger;
    this.requests = new PendingRequests((ops) => this.link.send(encode({ type: 'request', ops })), {
      ...this.options,
      endpoint: this.endpoint,
      onAttemptTimeout: () => this.link.onAttemptTimeout(),
    });
    this.link = new BrokerLink(list, {
      ...this.options,
      onFrames: (frames) => deliverReplies(frames, this.requests, this.logger, (message) => this.onPush(message)),
      onMove: (endpoint, delayMs) => this.onMove(endpoint, delayMs),
    });
    const { reads, curve } = this.options;
    if (reads === 'direct' && (curve === undefined || curve.nodeServerKey !== undefined)) {
      this.directReads = new DirectReads({
        timeoutMs: this.options.directReadTimeoutMs,
        bucketTimeoutMs: Math.max(this.options.directReadTimeoutMs, this.options.timeoutMs),
        readFrom: this.options.readFrom,
        now: this.options.now,
        logger: this.logger,
        curve: curve && { ...curve, serverKey: curve.nodeServerKey! },
      });
    }
  }

  /**
   * A client that talks straight to one node's endpoint, with no broker between: against a
   * standalone node (`run-node --standalone`) every call works; against a node of a cluster, reads
   * are answered while the node holds its lease, and writes are refused with ERR_WRONG_ROLE, since
   * only the broker sequences them.
   */
  static direct(endpoint: string, options: Partial<BrainerOptions> = {}): Brainer {
    // `reads: 'broker'`: every call goes to the one endpoint; no membership to watch, no leader to follow.
    return new Brainer(endpoint, { ...options, reads: 'broker', followLeader: false });
  }

  /** The broker the client talks to now: the leader, as far as it knows. */
  get broker(): string {
    return this.link.endpoint;
  }

  /**
   * Opens the connection and checks that the broker (or, direct, the node) answers. Rejects with
   * ERR_UNREACHABLE as soon as nothing listens at the endpoint (no socket file, or a refused TCP
   * port), or, given several brokers, once every one has refused, rather than waiting out the timeout.
   */
  async connect(): Promise<void> {
    let stop = (): void => {};
    const unreachable = new Promise<never>((_resolve, reject) => {
      stop = this.link.whenUnreachable(() => {
        const which = this.brokers.length === 1 ? this.endpoint : `every broker (${this.endpoint})`;
        reject(new BrainerError('ERR_UNREACHABLE', `${which} refused the connection: nothing listens there`));
      });
    });
    try {
      this.open();
      await Promise.race([this.ping(), unreachable]);
    } finally {
      stop();
    }
  }

  async ping(): Promise<void> {
    await this.call({ op: 'ping' });
  }

  // The calls on the hot path (set, getBuffer) chain their promises instead of awaiting: each await
  // costs a promise and a turn of the microtask queue, which shows at tens of thousands of calls a second.

  /**
   * Stores `value` under `key`. A string is stored as its UTF-8 bytes; a Buffer or Uint8Array as
   * its bytes. A key that is not a non-empty string rejects with ERR_BAD_KEY, a value of any other
   * type with ERR_BAD_VALUE, before anything is sent.
   */
  set(key: string, value: Value, options: SetOptions = {}): Promise<void> {
    try {
      const { ttlMs, wait } = optionsObject<SetOptions>(options);
      const op = {
        op: 'set',
        key: requireKey(key),
        value: valueBytes(value),
        ttlMs: wholeMs('ttlMs', ttlMs, 0),
        wait: waitMode(wait),
      } as const;
      return this.call(op).then(ignoreValue);
    } catch (error) {
      // As an async function would: every failure is a rejection, never a synchronous throw.
      return Promise.reject(error as Error);
    }
  }

  /** The value as a string (its bytes read as UTF-8), or null when the key is missing. Use `getBuffer` for bytes. */
  async get(key: string): Promise<string | null> {
    const value = await this.getBuffer(key);
    return value === null ? null : value.toString('utf8');
  }

  /** The value's bytes exactly as stored, or null when the key is missing. */
  getBuffer(key: string): Promise<Buffer | null> {
    try {
      return this.read({ op: 'get', key: requireKey(key) }, key).then(getAnswer);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Resolves true when the key exists (and has not expired). */
  async exists(key: string): Promise<boolean> {
    return (await this.getBuffer(key)) !== null;
  }

  /**
   * The values of several keys as strings (UTF-8), in order, null for each missing one. The reads
   * travel together in one frame; each is its own read, so the answer is not one point in time.
   */
  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    const values = await this.mgetBuffers(keys);
    return values.map((value) => (value === null ? null : value.toString('utf8')));
  }

  /** `mget`, with each value's bytes exactly as stored. */
  async mgetBuffers(keys: readonly string[]): Promise<(Buffer | null)[]> {
    if (!Array.isArray(keys)) throw new BrainerError('ERR_BAD_KEY', 'keys must be an array of keys');
    keys.forEach((key, index) => requireKey(key, `keys[${index}]`));
    return Promise.all(keys.map((key) => this.getBuffer(key)));
  }

  /**
   * Stores several values: `entries` as pairs or as an object. The writes travel together in one
   * frame but each is its own write, sequenced on its own: not one atomic step, as Redis's MSET is.
   * Every key and value is checked before any is sent.
   */
  async mset(entries: Iterable<readonly [string, Value]> | Record<string, Value>, options: SetOptions = {}): Promise<void> {
    const pairs = msetPairs(entries).map(([key, value], index) => [requireKey(key, `entries[${index}] key`), valueBytes(value)] as const);
    await Promise.all(pairs.map(([key, value]) => this.set(key, value, options)));
  }

  /** Resolves true when the key existed. */
  async del(key: string, options: DelOptions = {}): Promise<boolean> {
    const { wait } = optionsObject<DelOptions>(options);
    const value = await this.call({ op: 'del', key: requireKey(key), wait: waitMode(wait) });
    if (typeof value === 'number') return value > 0;
    throw unexpected('del', value);
  }

  /** The time `key` has left, in ms, as Redis's PTTL: -1 when it has no TTL, -2 when it is missing. */
  pttl(key: string): Promise<number> {
    try {
      return this.read({ op: 'ttl', key: requireKey(key) }, key).then((value) => numberAnswer('ttl', value));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The time `key` has left, in seconds rounded as Redis's TTL rounds them: -1 when it has no TTL, -2 when it is missing. */
  async ttl(key: string): Promise<number> {
    const ms = await this.pttl(key);
    return ms < 0 ? ms : Math.floor((ms + 500) / 1000);
  }

  /**
   * Gives `key` a TTL of `ttlMs` from now, replacing any it had; resolves whether the key existed.
   * A `ttlMs` of 0 or less deletes the key, as Redis's EXPIRE does. Sequenced like any write.
   */
  async expire(key: string, ttlMs: number, options: DelOptions = {}): Promise<boolean> {
    const { wait } = optionsObject<DelOptions>(options);
    const op = { op: 'expire', key: requireKey(key), ttlMs: signedWholeMs('ttlMs', ttlMs), wait: waitMode(wait) } as const;
    return numberAnswer('expire', await this.call(op)) > 0;
  }

  /** Removes every key on every node, as one sequenced write, acknowledged once every ready node has applied it. */
  async flushall(): Promise<void> {
    await this.call({ op: 'flushall', wait: 'all' });
  }

  /** Keys matching a Redis-style glob (`*`, `?`, `[abc]`). Default `*`. */
  async keys(pattern = '*'): Promise<string[]> {
    if (typeof pattern !== 'string') throw new BrainerError('ERR_BAD_PATTERN', 'pattern must be a string');
    const value = await this.call({ op: 'keys', pattern });
    if (Array.isArray(value)) return value;
    throw unexpected('keys', value);
  }

  /**
   * One page of the keys matching `pattern` (a glob as for `keys`), in the order of their UTF-8
   * bytes: at most `count` (default 1,000; at most 100,000) keys that sort after `after` (default
   * '', from the start). Pass a page's last key as `after` for the next; a page shorter than `count`
   * is the last. Each page is answered by one node, without fetching every key.
   */
  async scan(pattern = '*', options: ScanOptions = {}): Promise<string[]> {
    const value = await this.call({ op: 'scan', pattern, after: options.after ?? '', count: options.count ?? 1000 });
    if (Array.isArray(value)) return value;
    throw unexpected('scan', value);
  }

  /**
   * The bucket `name`: its items are the keys `{name}item`, and `getAll()` reads them in one request,
   * answered by the bucket's primary node (straight from it, with direct reads).
   */
  bucket(name: string): Bucket {
    return new Bucket(this, name, (bucket) => this.read({ op: 'bucket', bucket }, bucketPrefix(bucket)));
  }

  async nodes(): Promise<NodeInfo[]> {
    const value = await this.call({ op: 'nodes' });
    const nodes = jsonOf(value);
    if (Array.isArray(nodes)) return nodes as NodeInfo[];
    throw unexpected('nodes', value);
  }

  /**
   * Checks that every ready node holds the same content, and that the broker flags none as missing
   * acknowledged writes (nodes that were all wiped alike have equal digests). Nodes that are mid-stream may differ for a
   * moment, so it asks again (up to `attempts` times) until they report the same seq, then compares
   * digests.
   */
  async verify(attempts = 20, intervalMs = 100): Promise<VerifyResult> {
    if (!Number.isSafeInteger(attempts) || attempts < 1)
      throw new BrainerError('ERR_BAD_REQUEST', 'attempts must be a whole number, 1 or more');
    wholeMs('intervalMs', intervalMs, 0);
    let ready: NodeInfo[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      ready = (await this.nodes()).filter((node) => node.state === 'ready');
      if (ready.every((node) => node.seq === ready[0]!.seq)) break;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    const counts = new Map<string, number>();
    for (const node of ready) counts.set(node.digest, (counts.get(node.digest) ?? 0) + 1);
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const differing = ready.filter((node) => node.digest !== majority);
    const failing = ready.filter((node) => node.error !== undefined);
    return {
      ok: ready.length > 0 && differing.length === 0 && failing.length === 0,
      nodes: ready,
      digest: majority ?? '',
      differing,
      failing,
    };
  }

  /**
   * The broker's own figures: epoch, seq, nodes, pending work. A standby answers them too (with
   * `role` standby and the `leader` it knows): unless `followLeader` is false, the client then goes to
   * that leader, or the next broker, and asks again, so that it answers the leader's figures when one
   * of its brokers leads, and a standby's when none does.
   */
  async stats(): Promise<Record<string, unknown>> {
    for (let moves = 0; ; moves++) {
      const stats = await this.brokerStats();
      if (stats.role !== 'standby' || !this.options.followLeader || moves >= this.brokers.length) return stats;
      this.link.followStandby(typeof stats.leader === 'string' ? stats.leader : undefined);
    }
  }

  private async brokerStats(): Promise<Record<string, unknown>> {
    const value = await this.call({ op: 'stats' });
    const stats = jsonOf(value);
    if (stats !== null && typeof stats === 'object') return stats as Record<string, unknown>;
    throw unexpected('stats', value);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.requests.failAll(new BrainerError('ERR_CLOSED', `the client of ${this.endpoint} was closed`));
    this.requests.close();
    clearInterval(this.watchTimer);
    this.directReads?.close();
    this.link.close();
  }

  /** A read straight from the nodes when there are any to read from, else, or when none serves it, through the broker. */
  private read(read: DirectReadOp, placement: string): Promise<ReplyValue> {
    if (!this.directReads?.available) return this.call(read);
    // The direct read took `read` over (a call sets its id), so the broker gets a copy.
    return this.directReads.read(read, placement).then((direct) => (direct !== undefined ? direct : this.call({ ...read })));
  }

  private call(op: OpInput): Promise<ReplyValue> {
    if (this.closed) return Promise.reject(new BrainerError('ERR_CLOSED', `the client of ${this.endpoint} is closed`));
    try {
      this.open();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.requests.call(op);
  }

  /** Connects, unless the endpoint is an ipc socket another user could be listening on (the check throws). */
  private open(): void {
    this.link.open();
    if (this.opened || this.closed) return;
    this.opened = true;
    if (this.directReads) {
      this.watch();
      this.watchTimer = setInterval(() => this.watch(), WATCH_RENEW_MS);
      this.watchTimer.unref();
    }
  }

  /** The client moved to another broker: the waiting calls go there, and the membership watch is taken up with it. */
  private onMove(endpoint: string, delayMs: number): void {
    this.logger.debug('calls go to another broker', { endpoint, waiting: this.requests.size });
    if (delayMs === 0) this.requests.resendAll();
    else setTimeout(() => this.closed || this.requests.resendAll(), delayMs).unref();
    if (this.directReads) this.watch();
  }

  /** Asks the broker to push the ready nodes now and as they change; renewed every second. */
  private watch(): void {
    if (this.watchInFlight) return;
    this.watchInFlight = true;
    this.requests.call({ op: 'watch' }).then(
      () => (this.watchInFlight = false),
      (error: unknown) => {
        this.watchInFlight = false;
        // The endpoint is a node, or a server without membership: every read goes to it.
        if (error instanceof BrainerError && (error.code === 'ERR_WRONG_ROLE' || error.code === 'ERR_UNKNOWN_OP')) this.stopDirectReads();
      },
    );
  }

  private stopDirectReads(): void {
    clearInterval(this.watchTimer);
    this.directReads?.close();
    this.directReads = undefined;
  }

  private onPush(message: Message): void {
    if (message.type === 'membership') this.directReads?.update(message);
    else this.logger.warn('ignored an unexpected message', { type: message.type });
  }
}

function ignoreValue(): void {}

function msetPairs(entries: unknown): (readonly [unknown, unknown])[] {
  if (entries === null || typeof entries !== 'object') throw new BrainerError('ERR_BAD_REQUEST', 'mset takes pairs or an object');
  const pairs: unknown[] = Symbol.iterator in entries ? [...(entries as Iterable<unknown>)] : Object.entries(entries);
  return pairs.map((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new BrainerError('ERR_BAD_REQUEST', `entries[${index}] must be a [key, value] pair`);
    return pair as unknown as readonly [unknown, unknown];
  });
}

function getAnswer(value: ReplyValue): Buffer | null {
  if (value === null || Buffer.isBuffer(value)) return value;
  throw unexpected('get', value);
}

function numberAnswer(op: string, value: ReplyValue): number {
  if (typeof value === 'number') return value;
  throw unexpected(op, value);
}

function unexpected(op: string, value: ReplyValue): BrainerError {
  return new BrainerError('ERR_INTERNAL', `unexpected answer to ${op}: ${typeof value}`);
}
