import {
  badFrameAnswer,
  bucketPrefix,
  DecodeError,
  decodeFrames,
  ExpiryQueue,
  expiryOnLocalClock,
  isRecentWrite,
  readExpiriesAnswer,
  RateLimitedLog,
  refuseLargeFrame,
  jsonOf,
  encode,
  validateOp,
  type ErrorCode,
  type Logger,
  type Message,
  type MessageOf,
  type NodeError,
  type Op,
  type Reply,
  type Write,
  type WriteKind,
} from '@brainer/protocol';
import { Observable, Subject } from 'rxjs';
import { AckTracker, answersHit, type PendingWrite } from './ack-tracker.js';
import { Backlog } from './backlog.js';
import { BrokerMetrics, type BrokerMetricsSource } from './broker-metrics.js';
import { BrokerTransport } from './broker-transport.js';
import type { BrokerEvent } from './events.js';
import { DedupTable } from './dedup-table.js';
import { Eviction } from './eviction.js';
import { Membership } from './membership.js';
import { MembershipWatchers } from './membership-watchers.js';
import type { NodeRecord } from './node-record.js';
import { EXPIRIES_FETCH_ID, NodesQuery, RECENT_FETCH_ID } from './nodes-query.js';
import { resolveBrokerOptions, type BrokerOptions } from './options.js';
import { Outbox } from './outbox.js';
import { ReadRouter, type ReadCandidates } from './read-router.js';
import type { ReplyTarget } from './reply-target.js';
import { AcknowledgedHistory } from './acknowledged-history.js';
import { chooseSeed, isBlank } from './seed-policy.js';
import { Sequencer } from './sequencer.js';
import { WritesFanout } from './writes-fanout.js';
import { StallDetector } from './stall-detector.js';

type Registration = { peer: Buffer; message: MessageOf<'register' | 'resume'> };

/** How often the broker checks read timeouts and TTLs, in ms. */
const SWEEP_MS = 50;

/** How many times a new broker asks for the nodes' recent writes and TTLs, a read timeout apart. */
const STARTUP_FETCH_ATTEMPTS = 10;

/**
 * The broker: the one entry point for clients and nodes. It owns membership, the write sequence,
 * the fan-out of writes to every node, read routing, and the choice of snapshot source for joins.
 */
export class Broker {
  private readonly options: BrokerOptions;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly events = new Subject<BrokerEvent>();
  private readonly transport: BrokerTransport;
  private readonly outbox: Outbox;
  private readonly membership: Membership;
  private readonly watchers: MembershipWatchers;
  private readonly sequencer = new Sequencer();
  private readonly fanout = new WritesFanout((batch) => this.fanOut(batch));
  private readonly expiries = new ExpiryQueue();
  private readonly dedup = new DedupTable();
  private readonly backlog: Backlog;
  /**
   * While set, a broker that started an epoch from nodes' data waits for a node's recent writes and
   * TTLs (`waiting`) before it takes writes, so no write can race what it loads.
   */
  private startupFetch: { sources: readonly string[]; nodeId: string; until: number; waiting: Set<number>; attempts: number } | undefined;
  private readonly acks: AckTracker;
  private readonly reads: ReadRouter;
  private readonly nodesQuery: NodesQuery;
  /** Bounded memory, when `maxmemory` is set. */
  private readonly eviction: Eviction | undefined;
  private readonly badInput: RateLimitedLog;
  /** Prometheus families, when `metrics` is given. */
  private readonly metrics: BrokerMetrics | undefined;
  private expiredKeys = 0;
  private dedupHits = 0;
  /** Errors that repeat while the cluster waits for a whole node, or keeps a node out. */
  private readonly alarms: RateLimitedLog;
  /** The highest seq any registration has reported, for the seed policy. */
  private heardSeq = 0;
  /** The first seq of the current epoch: writes after it were stamped in this epoch. */
  private epochStartSeq = 0;
  /** The highest seq acknowledged so far, in any wait mode. */
  private acknowledgedSeq = 0;
  /** What this process acknowledged in each epoch it sequenced. */
  private readonly acknowledgedHistory = new AcknowledgedHistory();
  /** The highest seq acknowledged in `all` mode: every ready node must have applied it. */
  private acknowledgedAllSeq = 0;
  /** Set when the current epoch started from data that was not whole (`acceptDataLoss`): what may be lost. */
  private epochLoss: string | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly stalls: StallDetector;
  private ackWakeTimer: NodeJS.Timeout | undefined;
  /** Registrations held while a new broker learns what the nodes hold. */
  private recovering: Registration[] | undefined = [];
  private lastJoinId = 0;
  private keysCursor = 0;
  private started = false;
  private closed = false;
  private boundEndpoint: string;

  /** Membership changes and joins, as they happen. */
  readonly events$: Observable<BrokerEvent> = this.events.asObservable();

  constructor(options: Partial<BrokerOptions> = {}) {
    this.options = resolveBrokerOptions(options);
    this.logger = this.options.logger;
    this.now = this.options.now;
    this.boundEndpoint = this.options.endpoint;
    this.membership = new Membership(this.options.partitioner, () => this.pushMembership());
    this.transport = new BrokerTransport(
      (peer, frames) => this.onFrames(peer, frames),
      (peer, error) => this.onSendError(peer, error),
      (error) => this.logger.error('a message handler failed; the broker goes on', { error: String((error as Error)?.stack ?? error) }),
      this.options,
    );
    this.outbox = new Outbox(this.transport, () => this.flushWrites());
    this.acks = new AckTracker(
      this.membership,
      this.now,
      {
        completed: (write) => this.onWriteCompleted(write),
        failed: (write, code, message) => this.onWriteFailed(write, code, message),
      },
      this.now() + this.options.leaseMs,
    );
    this.reads = new ReadRouter(this.membership, this.outbox, this.now, this.options.readTimeoutMs);
    this.nodesQuery = new NodesQuery(this.membership, this.outbox, this.now, this.options.readTimeoutMs, {
      acknowledgedSeq: () => this.acknowledgedAllSeq,
      errorOf: (node, acknowledged, fresh) => this.contentError(node, acknowledged, fresh),
      standingOf: (node) => ({
        lag: Math.max(0, this.sequencer.lastSeq - node.acked),
        leaseMs: node.state === 'ready' ? Math.max(0, Math.round(node.leaseGrantedAt + this.options.leaseMs - this.now())) : 0,
      }),
    });
    this.badInput = new RateLimitedLog(this.logger, this.now);
    this.alarms = new RateLimitedLog(this.logger, this.now);
    this.watchers = new MembershipWatchers(this.options.watchTtlMs, this.now);
    this.backlog = new Backlog({ writes: this.options.backlogWrites, bytes: this.options.backlogBytes });
    this.eviction = this.createEviction();
    this.stalls = new StallDetector(this.options.heartbeatMs, this.options.heartbeatMs, this.now());
    this.metrics = this.options.metrics && new BrokerMetrics(this.options.metrics, this.metricsSource());
  }

  private metricsSource(): BrokerMetricsSource {
    return {
      stats: () => ({
        epoch: this.sequencer.epoch,
        seq: this.sequencer.lastSeq,
        readsRouted: this.reads.routed,
        expiredKeys: this.expiredKeys,
        dedupHits: this.dedupHits,
        connections: this.transport.connections,
        nodes: this.membership.size,
      }),
      nodes: () => this.membership.all(),
      events$: this.events$,
      now: this.now,
    };
  }

  private createEviction(): Eviction | undefined {
    const { maxmemory, maxmemoryPolicy, maxmemorySamples, readTimeoutMs } = this.options;
    if (maxmemory === 0) return undefined;
    const settings = { maxmemory, policy: maxmemoryPolicy, samples: maxmemorySamples, timeoutMs: readTimeoutMs };
    return new Eviction(settings, {
      membership: this.membership,
      outbox: this.outbox,
      now: this.now,
      logger: this.logger,
      evict: (key) => this.submitWrite(undefined, { kind: 'del', key }, 'all'),
      emit: (event) => this.events.next(event),
    });
  }

  /** The bound endpoint: for `tcp://host:*`, the port actually chosen. */
  get endpoint(): string {
    return this.boundEndpoint;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.boundEndpoint = await this.transport.bind(this.options.endpoint);
    const { heartbeatMs, leaseMs } = this.options;
    this.timers.push(setInterval(() => this.checkLiveness(), heartbeatMs));
    this.timers.push(setInterval(() => this.sweep(), SWEEP_MS));
    // A broker cannot know the leases its predecessor granted: it learns the nodes' state and
    // acknowledges no write until one lease period has passed (invariant 3 and 6).
    this.timers.push(setTimeout(() => this.finishRecovery(), this.options.startupWaitMs));
    this.logger.info('broker listening', { endpoint: this.boundEndpoint, heartbeatMs, leaseMs, partitioner: this.options.partitioner });
  }

  /**
   * Replaces the public keys that may connect under CURVE (a reloaded `allowedClientKeys`). Clients
   * and nodes already connected stay; a key taken off the list is refused from its next connection.
   */
  setAllowedClientKeys(keys: ReadonlySet<string>): void {
    this.transport.setAllowedKeys(new Set(keys));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.ackWakeTimer);
    this.outbox.flush();
    this.transport.close();
    this.events.complete();
  }

  /** A summary for `stats`. */
  stats(): Record<string, unknown> {
    return {
      epoch: this.sequencer.epoch,
      seq: this.sequencer.lastSeq,
      nodes: this.membership.size,
      ready: this.membership.ready.length,
      pendingWrites: this.acks.pending,
      pendingReads: this.reads.size,
      readsRouted: this.reads.routed,
      ttlKeys: this.expiries.size,
      watchers: this.watchers.size,
      recovering: this.recovering !== undefined,
      takingWrites: this.recovering === undefined && this.startupFetch === undefined && this.membership.ready.length > 0,
      waiting: [...this.membership.all()].filter((node) => node.waiting).length,
      acknowledgedSeq: this.acknowledgedSeq,
      expiredKeys: this.expiredKeys,
      dedupHits: this.dedupHits,
      connections: this.transport.connections,
      partitioner: this.options.partitioner,
      backlog: this.backlog.stats,
      maxStallMs: this.stalls.maxLateMs,
      ...this.eviction?.stats(),
    };
  }

  // ---- input ----------------------------------------------------------------------------------

  private onFrames(peer: Buffer, frames: Buffer[]): void {
    if (frames.length === 1 && this.refusedAsTooLarge(peer, frames[0]!)) return;
    let message: Message;
    try {
      message = decodeFrames(frames);
    } catch (error) {
      this.onDecodeError(peer, error as DecodeError);
      return;
    }
    this.dispatch(peer, message);
  }

  /**
   * A client's frame over `limits.maxFrameBytes` gets one coded answer before anything is decoded or
   * copied. Nodes are not held to it: their replies may carry a bucket of up to the nodes' reply cap.
   */
  private refusedAsTooLarge(peer: Buffer, frame: Buffer): boolean {
    if (frame.length <= this.options.limits.maxFrameBytes || this.membership.byPeerKey(peer.toString('hex'))) return false;
    const refusal = refuseLargeFrame(frame, this.options.limits.maxFrameBytes)!;
    this.badInput.warn('frame-size', 'refused a frame over the size limit', {
      bytes: frame.length,
      limit: this.options.limits.maxFrameBytes,
    });
    this.outbox.sendNow(peer, refusal);
    return true;
  }

  /** PROTOCOL.md 4.2: the refusals of the ops read before the failure go out with the tick's replies. */
  private onDecodeError(peer: Buffer, error: DecodeError): void {
    this.badInput.warn(error.code, 'rejected a frame', { code: error.code, reason: error.message });
    const answer = badFrameAnswer(error);
    if (answer.type !== 'reply') return this.outbox.sendNow(peer, answer);
    const peerKey = peer.toString('hex');
    for (const reply of answer.replies) this.outbox.reply(peer, peerKey, reply);
  }

  private dispatch(peer: Buffer, message: Message): void {
    const peerKey = peer.toString('hex');
    switch (message.type) {
      case 'request':
        return this.onRequest(peer, peerKey, message.ops);
      case 'register':
      case 'resume':
        return this.onRegister({ peer, message });
      case 'unregister':
      case 'heartbeat':
      case 'ack':
      case 'reply':
      case 'caught-up':
      case 'join-failed': {
        const node = this.membership.byPeerKey(peerKey);
        if (!node) {
          this.outbox.sendNow(
            peer,
            errorMessage('ERR_UNKNOWN_NODE', `${message.type} from a peer that is not a registered node; register first`),
          );
          return;
        }
        return this.onNodeMessage(node, message);
      }
      case 'error':
        this.badInput.warn('error', 'error message from a peer', { code: message.code, message: message.message });
        return;
      default:
        this.badInput.warn('role', 'rejected a message not meant for a broker', { type: message.type });
        this.outbox.sendNow(peer, errorMessage('ERR_WRONG_ROLE', `a broker does not accept ${message.type}`));
    }
  }

  private onNodeMessage(node: NodeRecord, message: Message): void {
    switch (message.type) {
      case 'heartbeat':
        return this.onHeartbeat(node, message);
      case 'ack':
        // A joiner acks once it is caught up, before the broker has marked it ready: keep those too.
        if (message.epoch === this.sequencer.epoch) {
          this.acks.onAck(node, message.seq, message.removed);
          this.scheduleAckWake();
        }
        return;
      case 'reply':
        for (const reply of message.replies) {
          if (reply.id === RECENT_FETCH_ID) this.onRecentWrites(node, reply);
          else if (reply.id === EXPIRIES_FETCH_ID) this.onExpiries(node, reply);
          else if (Eviction.owns(reply.id)) this.eviction?.onReply(node, reply);
          else if (NodesQuery.owns(reply.id)) this.nodesQuery.onReply(node, reply);
          else this.reads.onReply(node, reply);
        }
        return;
      case 'caught-up':
        return this.onCaughtUp(node, message);
      case 'join-failed':
        return this.onJoinFailed(node, message);
      case 'unregister':
        return this.dropNode(node, 'unregistered', this.now());
      default:
        return;
    }
  }

  // ---- client requests ------------------------------------------------------------------------

  private onRequest(peer: Buffer, peerKey: string, ops: Op[]): void {
    if (ops.length > this.options.limits.maxBatchOps) {
      const message = `a request may hold at most ${this.options.limits.maxBatchOps} ops`;
      for (const op of ops) this.outbox.reply(peer, peerKey, { id: op.id, ok: false, code: 'ERR_BATCH_TOO_LARGE', message });
      return;
    }
    for (const op of ops) {
      const target: ReplyTarget = { peer, peerKey, opId: op.id };
      const invalid = this.validate(op);
      if (invalid) {
        this.replyTo(target, invalid);
        continue;
      }
      this.onOp(target, op);
    }
  }

  private onOp(target: ReplyTarget, op: Op): void {
    const isWrite = op.op === 'set' || op.op === 'del' || op.op === 'expire' || op.op === 'flushall';
    const isRead = op.op === 'get' || op.op === 'ttl' || op.op === 'keys' || op.op === 'scan' || op.op === 'bucket';
    if ((this.recovering && (isWrite || isRead)) || (this.startupFetch && isWrite)) {
      // Retryable: the nodes are re-registering with a new broker, and serve again within a second.
      return this.replyTo(target, fail(op.id, 'ERR_NOT_READY', "the broker is starting and still learning the nodes' state"));
    }
    if ((isWrite || isRead) && this.membership.ready.length === 0 && this.membership.size > 0) {
      // Nodes are registered, but none whose data is whole: wait for one rather than forget.
      this.holdAlarm();
      return this.replyTo(target, fail(op.id, 'ERR_NOT_READY', 'no node whose data is whole is ready; the cluster waits for one'));
    }
    switch (op.op) {
      case 'ping':
        return this.replyTo(target, { id: op.id, ok: true, value: undefined });
      case 'stats':
        return this.replyTo(target, { id: op.id, ok: true, value: { json: this.stats() } });
      case 'nodes':
        return this.nodesQuery.start(target);
      case 'get':
      case 'ttl':
        return this.reads.route(target, op, this.keyCandidates(op.key));
      case 'bucket':
        return this.reads.route(target, op, this.keyCandidates(bucketPrefix(op.bucket)));
      case 'keys':
      case 'scan': {
        // Every ready node holds every key, and orders a scan alike: spread listings over them.
        const ready = this.membership.ready.map((node) => node.id);
        const start = this.keysCursor++ % Math.max(1, ready.length);
        const order = [...ready.slice(start), ...ready.slice(0, start)];
        return this.reads.route(target, op, { first: order[0], all: () => order });
      }
      case 'watch':
        this.watchers.watch(target.peer, target.peerKey);
        this.outbox.sendNow(target.peer, this.membershipMessage());
        return this.replyTo(target, { id: op.id, ok: true, value: undefined });
      case 'recent':
      case 'expiries':
      case 'evict-sample':
        return this.replyTo(target, fail(op.id, 'ERR_WRONG_ROLE', `${op.op} is an op a broker sends to nodes`));
      case 'set': {
        // On the broker's own monotonic clock: nodes read it only against the writes' sentAt.
        const expiresAt = op.ttlMs > 0 ? this.now() + op.ttlMs : 0;
        const origin = { client: target.peerKey, opId: op.id };
        return this.submitWrite(target, { kind: 'set', key: op.key, value: op.value, expiresAt, origin }, op.wait);
      }
      case 'del':
        return this.submitWrite(target, { kind: 'del', key: op.key, origin: { client: target.peerKey, opId: op.id } }, op.wait);
      case 'expire': {
        const origin = { client: target.peerKey, opId: op.id };
        // A TTL that is already over removes the key (Redis's EXPIRE does the same): del answers 1 or 0 alike.
        if (op.ttlMs <= 0) return this.submitWrite(target, { kind: 'del', key: op.key, origin }, op.wait);
        // The broker decides expiry: a key whose time is up is deleted first, so that the expire finds
        // it missing on every node, whatever each node's clock says.
        if (this.expiries.expiredBy(op.key, this.now())) this.expireNow(op.key);
        return this.submitWrite(target, { kind: 'expire', key: op.key, expiresAt: this.now() + op.ttlMs, origin }, op.wait);
      }
      case 'flushall':
        // No key, so no primary: a flush waits for every ready node.
        return this.submitWrite(target, { kind: 'flush', origin: { client: target.peerKey, opId: op.id } }, 'all');
    }
  }

  /** A key's primary, then the rest of its preference list, worked out only if the primary does not serve. */
  private keyCandidates(key: string): ReadCandidates {
    // The ring of the moment of each step: a fallover that comes later follows membership changes.
    return { first: this.membership.ring.primary(key), all: () => this.membership.ring.preference(key) };
  }

  private validate(op: Op): Reply | undefined {
    return validateOp(op, this.options.limits);
  }

  /** Sequences a write: a client's (with its target and origin), or the broker's own expiry delete. */
  private submitWrite(target: ReplyTarget | undefined, write: Write, wait: 'all' | 'primary'): void {
    const primaryId = write.kind === 'flush' ? this.membership.ready[0]?.id : this.membership.ring.primary(write.key);
    // Retryable: nodes that are joining, re-registering or just dropped are soon ready again.
    if (primaryId === undefined) return this.replyTo(target, fail(0, 'ERR_NOT_READY', 'no ready node to apply the write'));
    const dedupKey = write.origin ? DedupTable.key(write.origin.client, write.origin.opId) : undefined;
    if (dedupKey !== undefined) {
      const seen = this.dedup.get(dedupKey);
      if (seen) this.dedupHits++;
      if (seen?.done) return this.replyTo(target, writeReply(seen.kind, seen.removed));
      if (seen) return void seen.waiters.push(target!);
    }
    const refused = target && write.kind === 'set' ? this.eviction?.admit(write) : undefined;
    if (refused) return this.replyTo(target, fail(0, refused.code, refused.message));
    if (dedupKey !== undefined) this.dedup.pending(dedupKey, write.kind);
    if (write.kind === 'set' || write.kind === 'expire') this.expiries.set(write.key, write.expiresAt);
    else if (write.kind === 'del') this.expiries.delete(write.key);
    else this.expiries.clear();
    const seq = this.sequencer.next(write);
    this.eviction?.onSequenced(seq, write);
    const expiry = write.kind === 'expire' ? { key: write.key, at: write.expiresAt } : undefined;
    this.acks.add({ seq, kind: write.kind, target, mode: wait, primaryId, removed: false, dedupKey, expiry, sequencedAt: this.now() });
    this.outbox.schedule();
  }

  private onWriteCompleted(write: PendingWrite): void {
    // An expire of a key no node had leaves nothing to expire.
    if (write.expiry && !write.removed) this.expiries.deleteIfAt(write.expiry.key, write.expiry.at);
    this.acknowledgedSeq = Math.max(this.acknowledgedSeq, write.seq);
    this.acknowledgedHistory.acknowledge(this.sequencer.epoch, write.seq);
    if (write.mode === 'all') this.acknowledgedAllSeq = Math.max(this.acknowledgedAllSeq, write.seq);
    const reply = writeReply(write.kind, write.removed);
    this.metrics?.writeDone(write, 'ok');
    this.replyTo(write.target, reply);
    if (write.dedupKey !== undefined) for (const waiter of this.dedup.complete(write.dedupKey, write.removed)) this.replyTo(waiter, reply);
  }

  private onWriteFailed(write: PendingWrite, code: ErrorCode, message: string): void {
    // An expire that failed may never reach a node: its expiry is not the key's.
    if (write.expiry) this.expiries.deleteIfAt(write.expiry.key, write.expiry.at);
    const reply = fail(0, code, message);
    this.metrics?.writeDone(write, 'error');
    this.replyTo(write.target, reply);
    if (write.dedupKey !== undefined) for (const waiter of this.dedup.forget(write.dedupKey)) this.replyTo(waiter, reply);
  }

  private replyTo(target: ReplyTarget | undefined, reply: Reply): void {
    if (!target) return;
    this.outbox.reply(target.peer, target.peerKey, { ...reply, id: target.opId });
  }

  /**
   * Queues the writes stamped this tick for every node, ready or joining, as frames of bounded size,
   * and sends a turn's worth of them; the rest go out in the next turns, in seq order.
   */
  private flushWrites(): void {
    this.fanout.add(this.sequencer.take(this.now()));
    if (this.fanout.sendTurn()) this.outbox.schedule();
  }

  /** Sends every write stamped so far now, so that the backlog and a snapshot source have them all. */
  private flushAllWrites(): void {
    this.fanout.add(this.sequencer.take(this.now()));
    this.fanout.sendAll();
  }

  /** Encodes one `writes` message once and sends that frame to every node; returns its size. */
  private fanOut(batch: MessageOf<'writes'>): number {
    const frame = encode(batch);
    this.outbox.broadcast(
      [...this.membership.all()].map((node) => node.peer),
      frame,
    );
    this.backlog.add(batch.firstSeq, batch.writes.length, frame);
    return frame.length;
  }

  // ---- membership -----------------------------------------------------------------------------

  /**
   * Tells watching clients the new set of ready nodes. It goes out at once, ahead of any reply
   * batched in this tick, so a client has the new membership before it hears of a write acknowledged
   * under it.
   */
  private pushMembership(): void {
    if (this.watchers.size === 0) return;
    const frame = encode(this.membershipMessage());
    this.outbox.broadcast(this.watchers.peers(), frame);
  }

  private membershipMessage(): Message {
    return {
      type: 'membership',
      version: this.membership.version,
      epoch: this.sequencer.epoch,
      partitioner: this.options.partitioner,
      nodes: this.membership.ready.map((node) => ({ id: node.id, endpoint: node.endpoint })),
    };
  }

  /**
   * A registration under a node id that another process holds (another connection and another
   * incarnation) is refused while that holder is alive: two live nodes under one id would steal the
   * registration from each other without end. A holder whose connection is gone (it crashed, and
   * this is its restart) gives the id up at once. The probe is a heartbeat-ack granting no lease,
   * which a node ignores.
   */
  private onRegister(registration: Registration): void {
    const holder = this.idHolder(registration);
    if (holder === undefined) return this.admit(registration);
    const probe = encode({ type: 'heartbeat-ack', sentAt: 0, epoch: this.sequencer.epoch, leaseMs: 0, brokerAt: this.now() });
    void this.transport.reaches(holder.peer, probe).then((alive) => {
      if (this.closed) return;
      const { peer, message } = registration;
      if (!alive || this.idHolder(registration) !== holder) {
        this.logger.info('node id taken back from a holder that is gone', { node: message.nodeId, endpoint: message.endpoint });
        return this.admit(registration);
      }
      const holderEndpoint = 'message' in holder ? holder.message.endpoint : holder.endpoint;
      const reason =
        `node id ${message.nodeId} is held by a live node at ${holderEndpoint}; ` +
        `this registration from ${message.endpoint} is refused: give each node its own --id`;
      // A warning, not an error: the refusal is the broker doing its job; the refused node is the one that fails.
      this.alarms.warn(`id:${message.nodeId}`, 'refused a second node under a node id a live node holds', {
        node: message.nodeId,
        holder: holderEndpoint,
        refused: message.endpoint,
      });
      this.outbox.sendNow(peer, errorMessage('ERR_NODE_ID_TAKEN', reason));
    });
  }

  /** Who holds `registration`'s node id, if it is another process: a registered node, or a registration held while recovering. */
  private idHolder({ peer, message }: Registration): NodeRecord | Registration | undefined {
    const holder = this.membership.byNodeId(message.nodeId) ?? this.recovering?.find((held) => held.message.nodeId === message.nodeId);
    if (holder === undefined || holder.peer.equals(peer)) return undefined;
    const incarnation = 'message' in holder ? holder.message.incarnation : holder.incarnation;
    return incarnation === message.incarnation ? undefined : holder;
  }

  private admit(registration: Registration): void {
    const { peer, message } = registration;
    this.heardSeq = Math.max(this.heardSeq, message.seq);
    // The record with this node id and the one on this connection may be two: drop both, or the
    // one left would stay in the ring with no connection to hear from it.
    for (const existing of new Set([this.membership.byNodeId(message.nodeId), this.membership.byPeerKey(peer.toString('hex'))])) {
      if (existing) this.dropNode(existing, 're-registered', existing.leaseGrantedAt + this.options.leaseMs);
    }
    if (this.recovering) {
      this.recovering = this.recovering.filter((held) => held.message.nodeId !== message.nodeId);
      this.recovering.push(registration);
      return;
    }
    if (this.membership.ready.length === 0) this.seedOrWait([registration]);
    else if (message.type === 'resume') this.resumeOrJoin(registration);
    else this.startJoin(this.addNode(registration));
  }

  /** A node that asks to resume catches up from the backlog if it can (a partial resync), else joins in full. */
  private resumeOrJoin(registration: Registration): void {
    const message = registration.message;
    // Writes stamped before this point go out first, so the backlog holds them.
    this.flushAllWrites();
    const point = this.backlog.resumePoint(message, this.sequencer.epoch, this.sequencer.lastSeq);
    if ('reason' in point) {
      // After an epoch started from data that was not whole, any whole node knows better than the cluster.
      if (point.ahead || this.epochLoss !== undefined) return this.onDataAhead(registration);
      this.logger.info('node cannot resume from the backlog; it joins in full', { node: message.nodeId, reason: point.reason });
      return this.startJoin(this.addNode(registration));
    }
    const node = this.addNode(registration);
    const seq = this.sequencer.lastSeq;
    node.joinId = ++this.lastJoinId;
    node.sync = 'partial';
    node.progress = { received: 0, total: seq - point.from };
    // What the node holds is this epoch's content from now on, whether it finishes or comes back again.
    this.backlog.vouch(node.id);
    const { heartbeatMs, leaseMs } = this.options;
    this.outbox.sendNow(node.peer, {
      type: 'catch-up',
      epoch: this.sequencer.epoch,
      fromSeq: point.from,
      seq,
      joinId: node.joinId,
      heartbeatMs,
      leaseMs,
      limits: this.options.limits,
    });
    for (const frame of this.backlog.framesAfter(point.from, this.now())) this.outbox.broadcast([node.peer], frame);
    this.logger.info('node resyncing from the backlog', {
      node: node.id,
      endpoint: node.endpoint,
      joinId: node.joinId,
      fromSeq: point.from,
      seq,
    });
    this.events.next({ type: 'node:resyncing', nodeId: node.id, endpoint: node.endpoint, joinId: node.joinId, fromSeq: point.from, seq });
  }

  /**
   * A whole node whose data is ahead of the point this epoch started from: it holds writes the
   * cluster lacks, perhaps acknowledged ones. Joining would wipe them. If this epoch has acknowledged
   * nothing yet, nothing is lost by starting it again from that node. Otherwise the cluster and the
   * node both hold acknowledged writes the other lacks: the node is kept out, its data untouched,
   * and the operator decides.
   */
  private onDataAhead(registration: Registration): void {
    const { peer, message } = registration;
    const where = { node: message.nodeId, epoch: message.epoch, seq: message.seq, clusterEpoch: this.sequencer.epoch };
    if (this.acknowledgedSeq <= this.epochStartSeq) {
      this.logger.warn(
        'node registered with data ahead of the cluster, which has acknowledged nothing since it started: the epoch starts again from it',
        where,
      );
      return this.restartEpochFrom(registration);
    }
    const origin = this.backlog.origin;
    if (
      !this.epochLoss &&
      origin?.epoch === message.epoch &&
      this.acknowledgedHistory.acknowledgedNothingAfter(message.epoch, origin.seq)
    ) {
      this.logger.info("node's data goes past where this epoch started only by writes that were never acknowledged: it joins in full", {
        ...where,
        originSeq: origin.seq,
      });
      return this.startJoin(this.addNode(registration));
    }
    const start = this.epochLoss ? 'data that was not whole' : 'an earlier point';
    const reason =
      `node ${message.nodeId} holds whole data (epoch ${message.epoch}, seq ${message.seq}) that this epoch may lack (it started from ${start}), ` +
      `and this epoch has acknowledged writes since (up to seq ${this.acknowledgedSeq}): joining would drop what only the node holds`;
    this.alarms.error(
      `ahead:${message.nodeId}`,
      "node kept out: its data is ahead of the cluster, which has acknowledged writes of its own since; to keep the cluster, remove the node's data directory; to keep the node's data, restart the broker with only that node first",
      { ...where, acknowledgedSeq: this.acknowledgedSeq },
    );
    this.outbox.sendNow(peer, errorMessage('ERR_DATA_AHEAD', reason));
  }

  /** Starts a new epoch from `registration`, which every other node then joins from. */
  private restartEpochFrom(registration: Registration): void {
    // Decided on nothing acknowledged in this epoch: demoting the ready nodes below must not let a
    // pending write complete now, with content the new epoch will not hold.
    this.acks.failAll('ERR_NOT_READY', 'the cluster started a new epoch before this write was applied everywhere');
    const leaseMs = this.options.leaseMs;
    for (const node of [...this.membership.all()]) {
      if (node.state !== 'ready') continue;
      this.membership.setState(node, 'joining');
      // It may serve direct reads until its lease ends: later writes wait for that, as when a node leaves.
      this.acks.onNodeRemoved(node, node.leaseGrantedAt + leaseMs);
    }
    this.seed(this.addNode(registration), undefined);
  }

  /** The end of the start-up wait: the most advanced nodes become the cluster's content. */
  private finishRecovery(): void {
    const held = this.recovering ?? [];
    this.recovering = undefined;
    if (held.length > 0) this.seedOrWait(held);
    this.acks.check();
  }

  /**
   * With no node ready: starts an epoch from the best of these registrations and the nodes already
   * waiting, if the seed policy allows one; else they all wait for a node whose data is whole.
   */
  private seedOrWait(registrations: Registration[]): void {
    const added = registrations.map((registration) => this.addNode(registration));
    const waiting = [...this.membership.all()].filter((node) => node.waiting);
    const candidates = waiting.map((node) => ({ node, nodeId: node.id, ...node.registered }));
    const decision = chooseSeed(candidates, {
      lastSeq: this.sequencer.lastSeq,
      heardSeq: this.heardSeq,
      acknowledged: this.acknowledgedHistory.latest(),
      acceptDataLoss: this.options.acceptDataLoss,
    });
    if (decision.seed) return this.seed(decision.from.node, decision.loss);
    for (const node of added) this.awaitSource(node, decision.reason);
  }

  /** Logs, at most every 5 s, that the cluster holds writes and reads for want of a whole node. */
  private holdAlarm(reason = 'no node whose data is whole is present'): void {
    this.alarms.error(
      'hold',
      'holding writes and reads: no node whose data is whole is present, and starting from a node that is not whole would lose acknowledged writes; start a node that holds the data, or restart the broker with --accept-data-loss to start from the most advanced node there is',
      { reason, nodes: this.membership.size },
    );
  }

  /**
   * When a new epoch starts from nodes' data, asks a ready node for the client writes it applied
   * most recently, so that a retry of a write acknowledged (or lost in flight) by the previous broker
   * is answered, not applied again; and for its keys with a TTL, so that they still expire. Writes
   * wait (ERR_NOT_READY, which clients retry) until both answers come or a read timeout passes.
   */
  private fetchRecentWrites(): void {
    // The nodes the epoch started from: a node that joins later knows only the writes since its join.
    const sources = this.membership.ready.map((node) => node.id);
    this.startupFetch = { sources, nodeId: '', until: 0, waiting: new Set([RECENT_FETCH_ID, EXPIRIES_FETCH_ID]), attempts: 0 };
    this.askForStartupState();
  }

  /**
   * Sends what the start-up fetch still waits for to a ready node. A busy node may answer late, so
   * an unanswered fetch is asked again (of another node when there is one) before the broker gives
   * up on it.
   */
  private askForStartupState(): void {
    const fetch = this.startupFetch!;
    const alive = fetch.sources.map((id) => this.membership.byNodeId(id)).filter((node) => node?.state === 'ready');
    const source = alive[fetch.attempts % Math.max(1, alive.length)];
    if (!source || fetch.attempts >= STARTUP_FETCH_ATTEMPTS) {
      this.logger.warn(
        'no answer with recent writes or TTLs; retries of earlier writes may apply twice, and keys with a TTL may not be deleted',
        { node: fetch.nodeId, attempts: fetch.attempts },
      );
      this.startupFetch = undefined;
      return;
    }
    fetch.attempts++;
    fetch.nodeId = source.id;
    fetch.until = this.now() + this.options.readTimeoutMs;
    if (fetch.waiting.has(RECENT_FETCH_ID)) this.outbox.op(source.peer, source.peerKey, { op: 'recent', id: RECENT_FETCH_ID });
    // The TTLs the previous broker was tracking live on in the nodes' entries: track them again.
    if (fetch.waiting.has(EXPIRIES_FETCH_ID)) this.outbox.op(source.peer, source.peerKey, { op: 'expiries', id: EXPIRIES_FETCH_ID });
  }

  /** Whether `reply` answers one of the start-up requests; marks it answered. */
  private isStartupAnswer(node: NodeRecord, reply: Reply): boolean {
    const fetch = this.startupFetch;
    // The source nodes hold the same content, so a late answer from one asked earlier is as good.
    if (!fetch || !fetch.sources.includes(node.id) || !fetch.waiting.delete(reply.id)) return false;
    if (fetch.waiting.size === 0) this.startupFetch = undefined;
    return true;
  }

  private onExpiries(node: NodeRecord, reply: Reply): void {
    if (!this.isStartupAnswer(node, reply)) return;
    const answer = reply.ok ? readExpiriesAnswer(jsonOf(reply.value)) : undefined;
    if (!answer) {
      this.logger.warn('could not load the keys with a TTL; they will be hidden but not deleted', { node: node.id });
      return;
    }
    const now = this.now();
    for (const [key, expiresAt] of answer.keys) this.expiries.set(key, expiryOnLocalClock(expiresAt, answer.sentAt, now));
    this.logger.info('loaded the keys with a TTL', { node: node.id, keys: answer.keys.length });
  }

  private onRecentWrites(node: NodeRecord, reply: Reply): void {
    if (!this.isStartupAnswer(node, reply)) return;
    const entries = reply.ok ? jsonOf(reply.value) : undefined;
    if (!Array.isArray(entries)) {
      this.logger.warn('could not load recent writes; retries of earlier writes may apply twice', { node: node.id });
      return;
    }
    this.dedup.loadDone(entries.filter(isRecentWrite));
    this.logger.info('loaded recent writes for retry deduplication', { node: node.id, writes: entries.length });
  }

  /**
   * Starts a new epoch from `from`'s data (invariant 6): it and the waiting nodes that hold the same
   * become ready as they are, and every other node joins from them. `loss` is set when `from` is not
   * whole, which only `acceptDataLoss` allows.
   */
  private seed(from: NodeRecord, loss: string | undefined): void {
    const nodes = [...this.membership.all()];
    const epoch = Math.max(this.sequencer.epoch, ...nodes.map((node) => node.registered.epoch)) + 1;
    // Writes stamped in the old epoch go out as its frames now, not later under the new one.
    this.flushAllWrites();
    // The new epoch's content need not hold the old epoch's writes still waiting, and its nodes'
    // acknowledgements count from its start: they must not complete them. A retry is answered
    // from the nodes' recent writes if one applied it after all.
    this.acks.failAll('ERR_NOT_READY', 'the cluster started a new epoch before this write was applied everywhere');
    this.sequencer.startEpoch(epoch, this.heardSeq);
    const seq = this.sequencer.lastSeq;
    this.acknowledgedHistory.startEpoch(epoch, seq);
    const origin = from.registered;
    this.epochStartSeq = seq;
    this.epochLoss = loss;
    this.backlog.startEpoch(seq, isBlank(origin) ? undefined : origin);
    if (loss)
      this.logger.error('epoch started from data that is not whole (--accept-data-loss): acknowledged writes may be lost', {
        epoch,
        seq,
        from: from.id,
        loss,
      });
    else this.logger.info('epoch started', { epoch, seq, from: from.id });
    this.events.next({ type: 'epoch:started', epoch, seq });
    const same = (node: NodeRecord): boolean =>
      node === from ||
      (node.waiting &&
        node.registered.whole === origin.whole &&
        node.registered.epoch === origin.epoch &&
        node.registered.seq === origin.seq &&
        node.registered.digest === origin.digest);
    const joiners: NodeRecord[] = [];
    for (const node of nodes) {
      if (!same(node)) {
        joiners.push(node);
        continue;
      }
      node.waiting = false;
      node.acked = seq;
      node.sync = 'none';
      this.membership.setState(node, 'ready');
      this.outbox.sendNow(node.peer, this.welcome(node, 'ready', { reset: false }));
      this.announceReady(node);
    }
    for (const joiner of joiners) this.startJoin(joiner);
    // The keys with a TTL are the origin's: its `expiries` answer rebuilds them.
    this.expiries.clear();
    if (!isBlank(origin)) this.fetchRecentWrites();
  }

  /** Records a registered node as joining, with no source yet. */
  private addNode({ peer, message }: Registration): NodeRecord {
    const now = this.now();
    const node: NodeRecord = {
      peer,
      peerKey: peer.toString('hex'),
      id: message.nodeId,
      incarnation: message.incarnation,
      endpoint: message.endpoint,
      state: 'joining',
      acked: 0,
      lastHeartbeatAt: now,
      leaseGrantedAt: -Infinity,
      keys: message.keys,
      seq: message.seq,
      digest: message.digest,
      progress: { received: 0, total: 0 },
      joinId: 0,
      sourceId: '',
      sync: 'none',
      registered: { whole: message.type === 'resume' && message.epoch > 0, epoch: message.epoch, seq: message.seq, digest: message.digest },
      waiting: true,
    };
    this.membership.add(node);
    return node;
  }

  /**
   * Starts (or restarts) a node's join: from now on it gets the live write stream, and it loads a
   * snapshot taken at the current seq or later from a ready peer (invariant 4).
   */
  private startJoin(node: NodeRecord): void {
    const source = this.pickSource();
    // A node that is not whole never seeds an epoch: with no ready source, the joiner waits for one.
    if (!source) return this.awaitSource(node, 'no ready node to join from');
    // Writes stamped before this point go out first, so the snapshot source has them all.
    this.flushAllWrites();
    if (node.state !== 'joining') this.membership.setState(node, 'joining');
    node.joinId = ++this.lastJoinId;
    node.sourceId = source.id;
    node.waiting = false;
    node.sync = 'full';
    node.progress = { received: 0, total: source.keys };
    this.outbox.sendNow(node.peer, this.welcome(node, 'joining', { source }));
    this.logger.info('node joining', {
      node: node.id,
      endpoint: node.endpoint,
      source: source.id,
      joinId: node.joinId,
      seq: this.sequencer.lastSeq,
    });
    this.events.next({ type: 'node:joining', nodeId: node.id, endpoint: node.endpoint, sourceId: source.id, joinId: node.joinId });
  }

  /**
   * Tells a joining node that no source is ready: it keeps its data, heartbeats, and serves nothing
   * until a whole node seeds an epoch, which it then joins from.
   */
  private awaitSource(node: NodeRecord, reason: string): void {
    if (node.state !== 'joining') this.membership.setState(node, 'joining');
    node.waiting = true;
    node.joinId = ++this.lastJoinId;
    node.sourceId = '';
    node.progress = { received: 0, total: 0 };
    this.outbox.sendNow(node.peer, this.welcome(node, 'joining', { reset: false }));
    this.logger.warn('node waits for a node whose data is whole', { node: node.id, reason });
    this.holdAlarm(reason);
  }

  private pickSource(): NodeRecord | undefined {
    const ready = this.membership.ready;
    if (ready.length === 0) return undefined;
    const load = new Map<string, number>();
    for (const node of this.membership.all()) {
      if (node.state === 'joining') load.set(node.sourceId, (load.get(node.sourceId) ?? 0) + 1);
    }
    const least = Math.min(...ready.map((node) => load.get(node.id) ?? 0));
    const candidates = ready.filter((node) => (load.get(node.id) ?? 0) === least);
    return candidates[Math.floor(Math.random() * candidates.length)];
  }

  private welcome(node: NodeRecord, state: 'ready' | 'joining', extra: { reset?: boolean; source?: NodeRecord }): Message {
    return {
      type: 'welcome',
      epoch: this.sequencer.epoch,
      state,
      seq: this.sequencer.lastSeq,
      reset: extra.reset ?? state === 'joining',
      joinId: node.joinId,
      sourceId: extra.source?.id ?? '',
      sourceEndpoint: extra.source?.endpoint ?? '',
      heartbeatMs: this.options.heartbeatMs,
      leaseMs: this.options.leaseMs,
      limits: this.options.limits,
    };
  }

  private onCaughtUp(node: NodeRecord, message: MessageOf<'caught-up'>): void {
    if (node.state !== 'joining' || message.joinId !== node.joinId) return;
    node.acked = Math.max(node.acked, message.seq);
    node.seq = message.seq;
    node.progress = { received: node.progress.total, total: node.progress.total };
    this.membership.setState(node, 'ready');
    this.announceReady(node);
    this.acks.check();
  }

  private announceReady(node: NodeRecord): void {
    this.backlog.vouch(node.id);
    this.logger.info('node ready', {
      node: node.id,
      endpoint: node.endpoint,
      seq: node.acked,
      sync: node.sync,
      nodes: this.membership.ready.length,
    });
    this.events.next({ type: 'node:ready', nodeId: node.id, endpoint: node.endpoint, seq: node.acked });
  }

  private onJoinFailed(node: NodeRecord, message: MessageOf<'join-failed'>): void {
    if (node.state !== 'joining' || message.joinId !== node.joinId) return;
    this.logger.warn('join failed; restarting it', { node: node.id, joinId: message.joinId, reason: message.reason });
    this.events.next({ type: 'join:failed', nodeId: node.id, joinId: message.joinId, reason: message.reason });
    this.startJoin(node);
  }

  private onHeartbeat(node: NodeRecord, message: MessageOf<'heartbeat'>): void {
    const now = this.now();
    node.lastHeartbeatAt = now;
    node.leaseGrantedAt = now;
    node.keys = message.keys;
    node.seq = message.seq;
    node.digest = message.digest;
    if (node.state === 'joining') node.progress = message.progress;
    // Only a ready node gets a read lease: a joiner's reads could miss writes acknowledged without it.
    this.outbox.sendNow(node.peer, {
      type: 'heartbeat-ack',
      sentAt: message.sentAt,
      epoch: this.sequencer.epoch,
      leaseMs: node.state === 'ready' ? this.options.leaseMs : 0,
      brokerAt: this.now(),
    });
  }

  private checkLiveness(): void {
    const limit = this.options.heartbeatMs * this.options.heartbeatLiveness;
    const now = this.now();
    const stalledMs = this.stalls.tick(now);
    if (stalledMs > 0) return this.forgiveStall(stalledMs, now);
    // Time the broker itself was busy (a burst of big frames) is not counted as the nodes' silence.
    const busyMs = this.stalls.lateMs;
    if (busyMs > 0) for (const node of this.membership.all()) node.lastHeartbeatAt = Math.min(now, node.lastHeartbeatAt + busyMs);
    const lastSeq = this.sequencer.lastSeq;
    // Silence counts only up to the last time the socket's input was all read: a heartbeat still
    // waiting in the queue behind a burst of big frames is not silence. Input that never runs dry
    // delays a dead node's drop by one window at most.
    const heardUpTo = Math.max(this.transport.inputDrainedAt, now - limit);
    for (const node of [...this.membership.all()]) {
      const leaseEndsAt = node.leaseGrantedAt + this.options.leaseMs;
      if (heardUpTo - node.lastHeartbeatAt > limit) this.dropNode(node, `missed ${this.options.heartbeatLiveness} heartbeats`, leaseEndsAt);
      // A node that cannot keep up is dropped rather than waited on, which also bounds what the
      // broker holds for it; it joins again once it catches its breath.
      else if (node.state === 'ready' && lastSeq - node.acked > this.options.maxOutstandingWrites) {
        this.dropNode(node, `fell ${lastSeq - node.acked} writes behind`, leaseEndsAt);
      }
    }
  }

  /**
   * The broker itself stalled: the nodes' heartbeats sent meanwhile wait unread in its socket. Each
   * node gets a full liveness window from now, in which those are read, before it is judged again.
   */
  private forgiveStall(stalledMs: number, now: number): void {
    this.logger.warn('broker stalled; the nodes get a liveness window before they are judged', {
      stalledMs,
      nodes: this.membership.size,
    });
    for (const node of this.membership.all()) node.lastHeartbeatAt = Math.max(node.lastHeartbeatAt, now);
  }

  /**
   * Removes a node from membership and the ring. Writes it had not applied complete on the nodes
   * that remain, once the lease it may still hold has run out.
   */
  private dropNode(node: NodeRecord, reason: string, leaseEndsAt: number): void {
    if (this.membership.byPeerKey(node.peerKey) !== node) return;
    const wasReady = node.state === 'ready';
    this.membership.remove(node);
    this.logger.info('node lost', { node: node.id, endpoint: node.endpoint, reason, nodes: this.membership.ready.length });
    this.events.next({ type: 'node:lost', nodeId: node.id, reason });
    if (wasReady) this.acks.onNodeRemoved(node, leaseEndsAt);
    this.reads.onNodeRemoved(node);
    this.eviction?.onNodeRemoved(node);
    for (const joiner of [...this.membership.all()]) {
      if (joiner.state === 'joining' && joiner.sourceId === node.id) {
        this.logger.warn('snapshot source lost; restarting the join', { node: joiner.id, source: node.id });
        this.events.next({ type: 'join:failed', nodeId: joiner.id, joinId: joiner.joinId, reason: 'source lost' });
        this.startJoin(joiner);
      }
    }
    this.scheduleAckWake();
  }

  private onSendError(peer: Buffer, error: unknown): void {
    const node = this.membership.byPeerKey(peer.toString('hex'));
    const code = (error as { code?: string }).code;
    if (node) {
      this.dropNode(node, `send failed (${code ?? String(error)})`, node.leaseGrantedAt + this.options.leaseMs);
    } else {
      this.watchers.forget(peer.toString('hex'));
      this.logger.debug('dropped a reply to a client that is gone', { code });
    }
  }

  /**
   * Why a ready node may not hold every acknowledged write: the epoch started from data that was not
   * whole, or the node's own fresh figures put it behind a write acknowledged in `all` mode, which
   * every ready node must have applied.
   */
  private contentError(node: NodeRecord, acknowledged: number, fresh: boolean): NodeError | undefined {
    if (node.state !== 'ready') return undefined;
    if (this.epochLoss) return { code: 'ERR_DATA_LOST', message: `this epoch started from data that was not whole: ${this.epochLoss}` };
    if (fresh && node.seq < acknowledged) {
      return {
        code: 'ERR_DATA_LOST',
        message: `ready at seq ${node.seq}, behind seq ${acknowledged}, which was acknowledged to every ready node`,
      };
    }
    return undefined;
  }

  // ---- timers ---------------------------------------------------------------------------------

  private sweep(): void {
    this.reads.sweep();
    this.nodesQuery.sweep();
    this.eviction?.sweep();
    this.watchers.expire();
    if (this.startupFetch && this.startupFetch.until <= this.now()) this.askForStartupState();
    // With no ready node a delete could not be sequenced, and a key taken from the queue would never be deleted.
    if (this.recovering || this.membership.ready.length === 0) return;
    for (const key of this.expiries.takeExpired(this.now())) this.expireNow(key, false);
  }

  /** Sequences the delete of a key whose TTL has passed. */
  private expireNow(key: string, forget = true): void {
    if (forget) this.expiries.delete(key);
    this.expiredKeys++;
    this.submitWrite(undefined, { kind: 'del', key }, 'all');
  }

  /** Re-checks pending writes when a lease fence or the start-up wait lifts. */
  private scheduleAckWake(): void {
    const at = this.acks.nextWakeAt();
    if (at === undefined || this.ackWakeTimer) return;
    this.ackWakeTimer = setTimeout(
      () => {
        this.ackWakeTimer = undefined;
        this.acks.check();
        this.scheduleAckWake();
      },
      Math.max(1, at - this.now()),
    );
  }
}

function writeReply(kind: WriteKind, found: boolean): Reply {
  return { id: 0, ok: true, value: answersHit(kind) ? (found ? 1 : 0) : undefined };
}

function fail(id: number, code: ErrorCode, message: string): Reply {
  return { id, ok: false, code, message };
}

function errorMessage(code: ErrorCode, message: string): Message {
  return { type: 'error', code, message };
}
