import { randomBytes } from 'node:crypto';
import {
  RateLimitedLog,
  encode,
  isSnapshotChunk,
  leaderInMessage,
  type Limits,
  type Logger,
  type Message,
  type MessageOf,
  type Reply,
} from '@brainer/protocol';
import { requireSafeIpcPeer } from '@brainer/transport';
import { BrokerList } from './broker-list.js';
import { decodeFrame } from './decode-frame.js';
import { Observable, Subject } from 'rxjs';
import type { CacheNodeEvent } from './events.js';
import { NodeTransport } from './node-transport.js';
import { resolveCacheNodeOptions, type CacheNodeOptions, type ResolvedCacheNodeOptions } from './options.js';
import { Replica } from './replica.js';
import { RequestHandler } from './request-handler.js';
import { SnapshotServer } from './snapshot-server.js';

/**
 * A cache node: it holds a full copy of the data, applies the broker's write stream, heartbeats,
 * joins through a streamed snapshot, and serves snapshots to later joiners.
 */
export class CacheNode {
  private readonly options: ResolvedCacheNodeOptions;
  private readonly logger: Logger;
  private readonly brokers: BrokerList;
  /** When the node last left each broker for silence: a standby that still names one is asked again, not followed. */
  private readonly leftSilent = new Map<string, number>();
  /** A broker to move to soon: the next of the list after a standby named no leader. */
  private pendingBroker: string | undefined;
  private pendingBrokerTimer: NodeJS.Timeout | undefined;
  /** When the node last went where a standby's ERR_NOT_LEADER pointed: two standbys naming each other are followed once a heartbeat. */
  private followedAt = -Infinity;
  private readonly now: () => number;
  private readonly events = new Subject<CacheNodeEvent>();
  private readonly transport: NodeTransport;
  private readonly replica: Replica;
  private readonly snapshots: SnapshotServer;
  private readonly handler: RequestHandler;
  private readonly badInput: RateLimitedLog;
  private heartbeatMs: number;
  private leaseUntil = -Infinity;
  private lastBrokerContact = 0;
  private brokerSilent = false;
  private registerSentAt = -Infinity;
  private lastSourceActivity = 0;
  private loggedPercent = -1;
  /** Bytes of snapshot streamed to joiners. */
  private snapshotBytesSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;
  private boundEndpoint: string;
  /** This process's registrations, told apart from another process's under the same id. */
  private readonly incarnation = randomBytes(8).toString('hex');
  /** The size limits direct requests are held to: the node's own until the broker's welcome gives the cluster's. */
  private limits: Limits;

  /** State changes and join progress, as they happen. */
  readonly events$: Observable<CacheNodeEvent> = this.events.asObservable();

  constructor(options: Partial<CacheNodeOptions> = {}) {
    this.options = resolveCacheNodeOptions(options);
    this.logger = this.options.logger;
    this.now = this.options.now;
    this.heartbeatMs = this.options.heartbeatMs;
    this.boundEndpoint = this.options.nodeEndpoint;
    this.limits = this.options.limits;
    this.brokers = new BrokerList(this.options.brokers);
    this.transport = new NodeTransport(this.options, {
      fromBroker: (frames) => this.fromBroker(frames),
      fromPeer: (peer, frames) => this.fromPeer(peer, frames),
      fromSource: (frames) => this.fromSource(frames),
      sendFailed: (to, error) => this.logger.debug('send failed', { to, error: String(error) }),
      handlerFailed: (error) =>
        this.logger.error('a message handler failed; the node goes on', { error: String((error as Error)?.stack ?? error) }),
    });
    this.replica = new Replica(this.options.engine, this.options, {
      toBroker: (message) => {
        // A failed join restarts the registration clock, so the broker's new welcome is awaited.
        if (message.type === 'join-failed') this.registerSentAt = this.now();
        this.transport.toBroker(encode(message));
      },
      startSnapshot: (joinId, endpoint, minSeq) => this.startSnapshot(joinId, endpoint, minSeq),
      stopSnapshot: () => this.transport.closeSource(),
      resync: (reason) => this.register(reason),
      storageFailed: (error) => this.leave(error),
      emit: (event) => this.emit(event),
    });
    this.snapshots = new SnapshotServer(
      this.replica,
      (peer, frame) => {
        this.snapshotBytesSent += frame.length;
        this.transport.toPeer(peer, frame);
      },
      this.options.snapshotChunkEntries,
      this.options.snapshotTimeoutMs * 6,
      this.now,
      this.logger,
    );
    this.handler = new RequestHandler(this.replica, () => this.stats(), this.options.maxReplyBytes);
    this.badInput = new RateLimitedLog(this.logger, this.now);
  }

  get id(): string {
    return this.options.id;
  }

  /** The bound endpoint: for `tcp://host:*`, the port actually chosen. */
  get endpoint(): string {
    return this.boundEndpoint;
  }

  get state(): 'registering' | 'joining' | 'ready' {
    return this.replica.state;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const broker of this.options.brokers) requireSafeIpcPeer(broker, this.options);
    this.boundEndpoint = await this.transport.bind(this.options.nodeEndpoint);
    this.transport.connectBroker(this.brokers.current);
    this.register('start');
    this.schedule();
    this.logger.info('node started', { id: this.id, endpoint: this.boundEndpoint, broker: this.options.brokers.join(',') });
  }

  /**
   * Replaces the public keys, besides the node key, that may connect to the node's endpoint under
   * CURVE (a reloaded `allowedClientKeys`). Peers already connected stay.
   */
  setAllowedClientKeys(keys: ReadonlySet<string>): void {
    this.transport.setAllowedClientKeys(keys);
  }

  /** Unregisters from the broker, then closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.pendingBrokerTimer);
    if (this.started) this.transport.toBroker(encode({ type: 'unregister', nodeId: this.id }));
    this.snapshots.close();
    this.transport.close();
    this.events.complete();
  }

  /**
   * The engine could not persist writes: nothing of them was acknowledged. The node tells the broker
   * why, unregisters and closes at once, so that it serves no read of what it could not persist.
   */
  private leave(error: Error): void {
    if (this.closed) return;
    this.emit({ type: 'node:failed', code: 'ERR_STORAGE', reason: error.message });
    this.transport.toBroker(encode({ type: 'error', code: 'ERR_STORAGE', message: `node ${this.id}: ${error.message}` }));
    // Once that has left the send queue, so that the unregister sent by close() is not queued behind it and dropped.
    setImmediate(() => void this.close());
  }

  stats(): Record<string, unknown> {
    return {
      id: this.id,
      endpoint: this.boundEndpoint,
      state: this.replica.state,
      epoch: this.replica.epoch,
      seq: this.replica.position,
      keys: this.replica.engine.size,
      digest: this.replica.engine.digest,
      usedMemory: this.replica.engine.usedBytes ?? null,
      progress: this.replica.progress,
      lease: this.now() < this.leaseUntil,
      leaseMsLeft: Math.max(0, this.leaseUntil - this.now()),
      snapshotsServing: this.snapshots.active,
      snapshotBytesSent: this.snapshotBytesSent,
      readsServed: this.handler.counts.served,
      readsRefused: this.handler.counts.refused,
      readsWhileNotReady: this.handler.counts.servedWhileNotReady,
      directRequests: this.handler.counts.directRequests,
      directReadsServed: this.handler.counts.directServed,
      directReadsRefused: this.handler.counts.directRefused,
      ...(this.replica.engine.stats ? { storage: this.replica.engine.stats() } : {}),
    };
  }

  // ---- broker link ----------------------------------------------------------------------------

  private register(reason: string): void {
    if (this.closed) return;
    this.replica.unregistered();
    this.leaseUntil = -Infinity;
    this.registerSentAt = this.now();
    this.lastBrokerContact = this.registerSentAt;
    this.brokerSilent = false;
    const registration = this.replica.registration(this.id, this.incarnation, this.boundEndpoint);
    const whole = this.replica.whole;
    if (reason !== 'start') this.logger.info('registering again', { reason, whole });
    else if (!whole) this.logger.warn('registering with data that is not whole', { epoch: this.replica.epoch, seq: this.replica.position });
    this.emit({ type: 'node:registering', reason });
    this.transport.toBroker(encode(registration));
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.tick();
      if (!this.closed) this.schedule();
    }, this.heartbeatMs);
  }

  private tick(): void {
    const now = this.now();
    const silence = now - this.lastBrokerContact;
    const limit = this.heartbeatMs * this.options.heartbeatLiveness;
    // With several brokers, a leader silent for the liveness window is about to lose its lease: move on.
    const giveUpAfter = this.brokers.several ? Math.min(limit, this.options.brokerSilenceMs) : this.options.brokerSilenceMs;
    if (this.pendingBroker !== undefined) {
      this.switchBroker(this.pendingBroker, 'the broker is a standby and named no leader');
      return;
    }
    if (this.replica.state === 'registering') {
      // Longer than a new broker's start-up wait, so a held registration is not sent twice.
      if (now - this.registerSentAt > 2 * limit) this.switchBroker(this.brokers.next(), 'no welcome from the broker');
    } else if (silence > giveUpAfter) {
      this.logger.warn('broker silent; reconnecting', { silentMs: Math.round(silence), broker: this.brokers.current });
      this.leftSilent.set(this.brokers.current, now);
      this.switchBroker(this.brokers.next(), 'broker silent');
      return;
    } else {
      this.noteBrokerSilence(silence > limit, silence);
      this.sendHeartbeat(now);
    }
    if (this.replica.joiningFromSource && now - this.lastSourceActivity > this.options.snapshotTimeoutMs) {
      this.replica.failJoin('snapshot source did not answer in time');
    }
    this.snapshots.sweep();
  }

  /** A new connection, to `endpoint` (the same broker when the node has only one), and a registration there. */
  private switchBroker(endpoint: string, reason: string): void {
    this.pendingBroker = undefined;
    clearTimeout(this.pendingBrokerTimer);
    if (endpoint !== this.transport.brokerEndpoint)
      this.logger.info('moving to another broker', { from: this.transport.brokerEndpoint, to: endpoint, reason });
    this.transport.connectBroker(endpoint);
    this.register(reason);
  }

  /**
   * The broker is a standby (PROTOCOL.md 5.17). The node goes to the leader it names, keeping its
   * data (it resumes there as after broker silence), or else to the next broker of its list after
   * about a heartbeat, so that standbys that know no leader yet are not asked in a tight loop.
   */
  private onNotLeader(message: string): void {
    const now = this.now();
    const named = leaderInMessage(message);
    const window = this.heartbeatMs * this.options.heartbeatLiveness;
    if (named !== undefined && now - (this.leftSilent.get(named) ?? -Infinity) < 2 * window) {
      // The standby still names the leader this node just left for silence: that leader's etcd lease
      // has not run out yet, and this standby is the one likely to lead next. Ask it again soon.
      if (this.pendingBroker !== undefined) return;
      this.replica.unregistered();
      this.leaseUntil = -Infinity;
      this.movePendingSoon(this.transport.brokerEndpoint ?? this.brokers.current, Math.max(25, this.heartbeatMs / 4));
      return;
    }
    const leader = this.leaderToFollow(message);
    if (leader !== undefined && now - this.followedAt >= this.heartbeatMs) {
      this.followedAt = now;
      this.switchBroker(this.brokers.follow(leader), 'the broker is a standby; going to the leader it named');
      return;
    }
    if (this.pendingBroker !== undefined) return;
    // Stop heartbeating a standby, and move soon. With one broker, it is asked again once the registration goes unanswered.
    this.replica.unregistered();
    this.leaseUntil = -Infinity;
    const next = leader === undefined ? this.brokers.next() : this.brokers.follow(leader);
    if (next !== undefined) this.movePendingSoon(next, this.heartbeatMs);
    this.logger.info('the broker is a standby', { broker: this.transport.brokerEndpoint, next: this.pendingBroker, message });
  }

  /**
   * Moves to `endpoint` after `delayMs` (or at the next tick, if that comes first). A standby that
   * names the leader this node just left is asked again within a quarter heartbeat, so that a
   * take-over finds the node as soon as it is elected; other moves wait a heartbeat, so that
   * standbys that know no leader, or name each other, are not asked in a tight loop.
   */
  private movePendingSoon(endpoint: string, delayMs: number): void {
    this.pendingBroker = endpoint;
    clearTimeout(this.pendingBrokerTimer);
    this.pendingBrokerTimer = setTimeout(() => {
      if (!this.closed && this.pendingBroker !== undefined)
        this.switchBroker(this.pendingBroker, 'the broker is a standby and named no leader');
    }, delayMs);
  }

  /** The leader an ERR_NOT_LEADER message names, if it is another broker the node may connect to. */
  private leaderToFollow(message: string): string | undefined {
    const leader = leaderInMessage(message);
    if (leader === undefined || leader === this.transport.brokerEndpoint) return undefined;
    try {
      requireSafeIpcPeer(leader, this.options);
      return leader;
    } catch (error) {
      this.logger.warn('not following the leader a standby named', { leader, error: (error as Error).message });
      return undefined;
    }
  }

  /** Logs once when the broker falls silent, and once when it speaks again; a paused broker keeps its nodes. */
  private noteBrokerSilence(silent: boolean, silence: number): void {
    if (silent === this.brokerSilent) return;
    this.brokerSilent = silent;
    if (silent) this.logger.warn('broker silent; still heartbeating', { silentMs: Math.round(silence) });
    else this.logger.info('broker heard again');
  }

  private sendHeartbeat(now: number): void {
    const replica = this.replica;
    this.transport.toBroker(
      encode({
        type: 'heartbeat',
        nodeId: this.id,
        sentAt: now,
        epoch: replica.epoch,
        seq: replica.position,
        keys: replica.engine.size,
        digest: replica.engine.digest,
        state: replica.state === 'ready' ? 'ready' : 'joining',
        progress: replica.progress,
      }),
    );
  }

  private fromBroker(frames: Buffer[]): void {
    const message = this.decodeOne(frames, 'broker');
    if (!message) return;
    switch (message.type) {
      case 'writes':
        // What the fence refuses (a deposed broker's) is not contact with a broker that leads.
        if (!this.replica.onWrites(message)) return;
        this.lastBrokerContact = this.now();
        if (this.snapshots.active > 0) this.snapshots.pump();
        return;
      case 'request': {
        this.lastBrokerContact = this.now();
        const refusal = (): Reply | undefined => this.brokerReadRefusal();
        // A scan walks the whole store: it answers on its own, later, so that it stalls nothing.
        const replies: Reply[] = [];
        for (const op of message.ops) {
          if (op.op !== 'scan') replies.push(this.handler.answer(op, refusal));
          else
            void this.handler
              .answerScanInSteps(op, refusal)
              .then((reply) => this.transport.toBroker(encode({ type: 'reply', replies: [reply] })));
        }
        if (replies.length > 0 || message.ops.length === 0) this.transport.toBroker(encode({ type: 'reply', replies }));
        return;
      }
      case 'heartbeat-ack':
        if (!this.replica.admits(message)) return;
        this.lastBrokerContact = this.now();
        this.replica.brokerClock.addSample(message.brokerAt, this.replica.wallClock());
        // A lease comes only from a broker that holds this node ready (leaseMs 0 otherwise).
        if (message.epoch === this.replica.epoch && this.replica.state === 'ready' && message.leaseMs > 0) {
          this.leaseUntil = Math.max(this.leaseUntil, message.sentAt + message.leaseMs);
        }
        return;
      case 'welcome':
      case 'catch-up':
        return this.onRegistered(message);
      case 'error':
        this.lastBrokerContact = this.now();
        // The broker answers in order, so while a registration is in flight this error is about a
        // message sent before it, and registering again would only restart the join.
        if (message.code === 'ERR_UNKNOWN_NODE') {
          if (this.replica.state !== 'registering') this.register('the broker does not know this node');
        } else if (message.code === 'ERR_DATA_AHEAD') {
          // Kept out with its data untouched; it asks again after the usual wait for a welcome.
          this.logger.error('the broker keeps this node out: its data is ahead of the cluster; an operator must decide', {
            code: message.code,
            message: message.message,
          });
        } else if (message.code === 'ERR_NODE_ID_TAKEN' && this.replica.state === 'registering') {
          this.refused(message.message);
        } else if (message.code === 'ERR_NOT_LEADER') {
          this.onNotLeader(message.message);
        } else this.logger.warn('error from the broker', { code: message.code, message: message.message });
        return;
      default:
        this.lastBrokerContact = this.now();
        this.badInput.warn('broker-type', 'ignored an unexpected message from the broker', { type: message.type });
    }
  }

  /** The broker's answer to a registration, unless the fence refused it: it changes nothing then. */
  private onRegistered(message: MessageOf<'welcome' | 'catch-up'>): void {
    const accepted = message.type === 'welcome' ? this.replica.onWelcome(message) : this.replica.onCatchUp(message);
    if (!accepted) return;
    this.lastBrokerContact = this.now();
    this.heartbeatMs = message.heartbeatMs;
    // The broker answering this registration may be a new process, on a clock of its own.
    this.replica.brokerClock.reset();
    this.loggedPercent = -1;
    this.takeClusterLimits(message.limits);
    this.sendHeartbeat(this.now());
  }

  /** The broker's limits are the cluster's: what the broker took, every node serves, direct reads included. */
  private takeClusterLimits(limits: Limits): void {
    const own = this.limits;
    if (Object.entries(limits).every(([name, value]) => own[name as keyof Limits] === value)) return;
    this.logger.info("taking the cluster's size limits from the broker", { limits, instead: own });
    this.limits = limits;
    this.transport.setMaxFrameBytes(limits.maxFrameBytes);
  }

  /** A live node holds this id: the broker keeps this one out, and it stops rather than steal the id back. */
  private refused(reason: string): void {
    if (this.closed) return;
    this.emit({ type: 'node:failed', code: 'ERR_NODE_ID_TAKEN', reason });
    void this.close();
  }

  /** Reads forwarded by the broker: the broker routes only to nodes it holds ready. */
  private brokerReadRefusal(): Reply | undefined {
    if (this.replica.state === 'ready') return undefined;
    return { id: 0, ok: false, code: 'ERR_NOT_READY', message: `node ${this.id} is ${this.replica.state}` };
  }

  /** Direct reads need a lease as well (invariant 3). */
  private directReadRefusal(): Reply | undefined {
    const notReady = this.brokerReadRefusal();
    if (notReady) return notReady;
    if (this.now() >= this.leaseUntil) return { id: 0, ok: false, code: 'ERR_NO_LEASE', message: `node ${this.id} holds no read lease` };
    return undefined;
  }

  // ---- joins ----------------------------------------------------------------------------------

  private startSnapshot(joinId: number, endpoint: string, minSeq: number): void {
    this.lastSourceActivity = this.now();
    this.transport.connectSource(endpoint);
    this.transport.toSource(encode({ type: 'snapshot-request', joinId, minSeq, credit: this.options.snapshotCredit }));
  }

  private fromSource(frames: Buffer[]): void {
    if (frames.length === 1 && isSnapshotChunk(frames[0]!)) {
      this.lastSourceActivity = this.now();
      this.loadChunk(frames[0]!);
      return;
    }
    const message = this.decodeOne(frames, 'source');
    if (!message) return;
    this.lastSourceActivity = this.now();
    switch (message.type) {
      case 'snapshot-begin':
        return this.replica.onSnapshotBegin(message);
      case 'snapshot-chunk':
        if (this.replica.onSnapshotChunk(message)) {
          this.transport.toSource(encode({ type: 'snapshot-credit', joinId: message.joinId, credit: 1 }));
          this.replica.emitProgress();
        }
        return;
      case 'snapshot-end':
        return this.replica.onSnapshotEnd(message);
      case 'error':
        return this.replica.failJoin(`snapshot source refused: ${message.code} ${message.message}`);
      default:
        this.badInput.warn('source-type', 'ignored an unexpected message from the snapshot source', { type: message.type });
    }
  }

  /** The bulk path of a join: entries go from the frame straight into the store. */
  private loadChunk(frame: Buffer): void {
    let joinId: number | undefined;
    try {
      joinId = this.replica.onSnapshotChunkFrame(frame);
    } catch (error) {
      this.replica.failJoin(`malformed snapshot chunk: ${(error as Error).message}`);
      return;
    }
    if (joinId === undefined) return;
    this.transport.toSource(encode({ type: 'snapshot-credit', joinId, credit: 1 }));
    this.replica.emitProgress();
  }

  // ---- peers: joiners and direct clients ------------------------------------------------------

  private fromPeer(peer: Buffer, frames: Buffer[]): void {
    const message = this.decodeOne(frames, 'peer', peer);
    if (!message) return;
    switch (message.type) {
      case 'snapshot-request':
        return this.snapshots.onRequest(peer, message);
      case 'snapshot-credit':
        return this.snapshots.onCredit(peer, message);
      case 'request': {
        const replies = this.handler.answerDirect(message.ops, this.limits, () => this.directReadRefusal());
        this.transport.toPeer(peer, encode({ type: 'reply', replies }));
        return;
      }
      case 'error':
        this.badInput.warn('peer-error', 'error message from a peer', { code: message.code, message: message.message });
        return;
      default:
        this.transport.toPeer(
          peer,
          encode({ type: 'error', code: 'ERR_WRONG_ROLE', message: `a node's endpoint does not accept ${message.type}` }),
        );
    }
  }

  private decodeOne(frames: Buffer[], from: string, replyTo?: Buffer): Message | undefined {
    // Frames on the node's own endpoint (direct reads, snapshot requests) are held to the frame cap.
    const maxFrameBytes = replyTo ? this.limits.maxFrameBytes : Infinity;
    return decodeFrame(frames, from, this.badInput, replyTo && ((frame) => this.transport.toPeer(replyTo, frame)), maxFrameBytes);
  }

  private emit(event: CacheNodeEvent): void {
    this.events.next(event);
    switch (event.type) {
      case 'node:state':
        this.logger.info(`node ${event.state}`, { id: this.id, epoch: event.epoch, seq: event.seq, keys: this.replica.engine.size });
        // Ask for a read lease now rather than a heartbeat from now.
        if (event.state === 'ready') this.sendHeartbeat(this.now());
        break;
      case 'join:started':
        if (event.sync === 'partial') this.logger.info('partial resync started', { joinId: event.joinId, fromSeq: event.minSeq });
        else this.logger.info('join started', { joinId: event.joinId, source: event.sourceId, minSeq: event.minSeq });
        break;
      case 'join:waiting':
        this.logger.warn('waiting for a node whose data is whole to join from; serving nothing meanwhile', {
          epoch: event.epoch,
          seq: event.seq,
          keys: this.replica.engine.size,
        });
        break;
      case 'join:progress': {
        const percent = event.total === 0 ? 100 : Math.floor((event.received / event.total) * 10) * 10;
        if (percent !== this.loggedPercent) {
          this.loggedPercent = percent;
          this.logger.info('join progress', { joinId: event.joinId, received: event.received, total: event.total, percent });
        }
        break;
      }
      case 'join:completed':
        this.logger.info(event.sync === 'partial' ? 'partial resync completed' : 'join completed', {
          joinId: event.joinId,
          sync: event.sync,
          seq: event.seq,
          keys: event.keys,
          ms: event.ms,
        });
        break;
      case 'join:failed':
        this.logger.warn('join failed', { joinId: event.joinId, reason: event.reason });
        break;
      case 'resync':
        this.logger.warn('resync', { reason: event.reason });
        break;
      case 'epoch:refused':
        // A deposed broker may send a frame a tick: one line every few seconds says it.
        this.badInput.warn('stale-epoch', 'refused a message from a deposed broker (ERR_STALE_EPOCH)', {
          type: event.messageType,
          epoch: event.epoch,
          accepted: event.accepted,
          broker: this.transport.brokerEndpoint,
        });
        break;
      case 'node:failed': {
        const why =
          event.code === 'ERR_STORAGE'
            ? 'storage failed: the node acknowledges nothing more and leaves the cluster'
            : 'the broker refused this node: another live node holds its id';
        this.logger.error(why, { id: this.id, code: event.code, reason: event.reason });
        break;
      }
      case 'node:registering':
        break;
    }
  }
}
