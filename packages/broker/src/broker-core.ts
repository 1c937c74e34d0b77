import { RateLimitedLog } from '@brainer/protocol';
import { Observable, Subject } from 'rxjs';
import { AckTracker } from './ack-tracker.js';
import type { BrokerMetrics, BrokerStats } from './broker-metrics.js';
import type { BrokerContext } from './broker-context.js';
import { ClientRequests } from './client-requests.js';
import { DedupTable } from './dedup-table.js';
import { Dispatch } from './dispatch.js';
import type { BrokerEvent } from './events.js';
import { Eviction } from './eviction.js';
import { Expiry } from './expiry.js';
import { Joins } from './joins.js';
import { BrokerLifecycle, type BrokerState } from './lifecycle.js';
import { Liveness } from './liveness.js';
import { Membership } from './membership.js';
import type { NodeRecord } from './node-record.js';
import { MembershipPush } from './membership-push.js';
import { MembershipWatchers } from './membership-watchers.js';
import { NodeRequests } from './node-requests.js';
import { NodesQuery } from './nodes-query.js';
import type { BrokerOptions } from './options.js';
import { Outbox } from './outbox.js';
import type { BrokerPorts, PeerId } from './ports.js';
import { ReadRouter } from './read-router.js';
import { Registrations } from './registration.js';
import { ReplicationLog } from './replication-log.js';
import { Seeding } from './seeding.js';
import { StartupFetch } from './startup-fetch.js';
import { WritePipeline } from './write-pipeline.js';
import { contentJudge } from './content-judge.js';

/**
 * The broker's logic, with no socket and no timer: messages and ticks go in, and everything it does
 * goes out through its ports. `Broker` wires it to a ZeroMQ ROUTER and to timers; tests drive it
 * by hand.
 */
export class BrokerCore {
  readonly lifecycle: BrokerLifecycle;
  private readonly ctx: BrokerContext;
  private readonly events = new Subject<BrokerEvent>();
  private readonly watchers: MembershipWatchers;
  private readonly dedup = new DedupTable();
  private readonly expiry: Expiry;
  private readonly eviction: Eviction | undefined;
  private readonly writes: WritePipeline;
  private readonly reads: ReadRouter;
  private readonly startupFetch: StartupFetch;
  /** How long after it starts to lead the core acknowledges nothing, in ms. */
  private ackHoldMs = 0;
  private readonly liveness: Liveness;
  private readonly registrations: Registrations;
  private readonly dispatch: Dispatch;

  /** Membership changes and joins, as they happen. */
  readonly events$: Observable<BrokerEvent> = this.events.asObservable();

  /** `metrics`, when given, counts the writes this core answers. */
  constructor(
    private readonly options: BrokerOptions,
    private readonly ports: BrokerPorts,
    private readonly metrics?: BrokerMetrics,
  ) {
    const now = ports.now;
    const lifecycle = (this.lifecycle = new BrokerLifecycle((from, to) => this.onStateChange(from, to)));
    // The one send gate: nothing leaves once deposed, nor while leading on a lease that may have lapsed.
    const outbox = new Outbox(ports, () => lifecycle.maySend && (!lifecycle.leading || ports.holdsLeadership()));
    const membership = new Membership(options.partitioner, () => push.push());
    const log = new ReplicationLog(
      { writes: options.backlogWrites, bytes: options.backlogBytes },
      (frame) => outbox.broadcast(membership.peers(), frame),
      now,
    );
    const acks = new AckTracker(membership, now, {
      completed: (write) => this.writes.completed(write),
      failed: (write, code, message) => this.writes.failed(write, code, message),
    });
    const requests = new NodeRequests(outbox, now, options.readTimeoutMs);
    const ctx: BrokerContext = {
      options,
      logger: options.logger,
      now,
      ports,
      events: this.events,
      lifecycle: this.lifecycle,
      membership,
      outbox,
      log,
      acks,
      requests,
      alarms: new RateLimitedLog(options.logger, now),
      wakeAcksLater: () => this.wakeAcksLater(),
    };
    this.ctx = ctx;
    this.watchers = new MembershipWatchers(options.watchTtlMs, now);
    const push = new MembershipPush(ctx, this.watchers);
    this.expiry = new Expiry(now, (key) => this.writes.submit(undefined, { kind: 'del', key }, 'all'));
    this.eviction = this.createEviction();
    const { dedup, expiry, eviction } = this;
    this.writes = new WritePipeline({ membership, log, acks, dedup, expiry, eviction, metrics: this.metrics, outbox, now });
    this.reads = new ReadRouter(membership, requests, outbox);
    const nodesQuery = new NodesQuery(membership, requests, outbox, contentJudge(ctx));
    this.startupFetch = new StartupFetch(membership, requests, dedup, expiry, options.logger);
    const joins = new Joins(ctx);
    const seeding = new Seeding(ctx, joins, expiry, this.startupFetch);
    this.liveness = new Liveness(ctx, joins, this.watchers, eviction);
    this.registrations = new Registrations(ctx, joins, seeding, this.liveness);
    const stats = () => this.stats();
    const clients = new ClientRequests(ctx, {
      writes: this.writes,
      reads: this.reads,
      nodesQuery,
      push,
      expiry,
      startupFetch: this.startupFetch,
      joins,
      stats,
    });
    this.dispatch = new Dispatch(ctx, {
      clients,
      registrations: this.registrations,
      liveness: this.liveness,
      joins,
      onAck: (node, seq, removed) => {
        acks.onAck(node, seq, removed);
        this.wakeAcksLater();
      },
      badInput: new RateLimitedLog(options.logger, now),
    });
  }

  // ---- what goes in ---------------------------------------------------------------------------

  /** A message from a peer, as its frames. */
  receive(peer: PeerId, frames: Buffer[]): void {
    if (this.lifecycle.state !== 'deposed') this.dispatch.onFrames(peer, frames);
  }

  /** A send to `peer` failed. */
  onSendError(peer: PeerId, error: unknown): void {
    this.liveness.onSendError(peer, error);
  }

  /**
   * Starts to lead: it learns the nodes' state and acknowledges nothing for `holdMs`, by default one
   * lease period, until the read leases a predecessor granted have lapsed (invariants 3, 6 and 9).
   */
  lead(holdMs = this.options.leaseMs): void {
    this.ackHoldMs = holdMs;
    this.lifecycle.moveTo('recovering');
  }

  /** The start-up wait is over: the most advanced nodes become the cluster's content. */
  serve(): void {
    this.lifecycle.moveTo('serving');
  }

  /** Another broker leads now: nothing leaves this one again. */
  depose(): void {
    this.lifecycle.moveTo('deposed');
  }

  /** The end of a turn: the writes stamped in it fan out, and the batched ops and replies go. */
  flush(): void {
    const more = this.ctx.log.seal();
    this.ctx.outbox.flush();
    if (more) this.ctx.outbox.schedule();
  }

  /** A lease fence or the start-up wait may have lifted: pending writes are checked again. */
  wake(): void {
    this.ctx.acks.check();
    this.wakeAcksLater();
  }

  /** Every heartbeat period. */
  checkLiveness(): void {
    if (this.lifecycle.state !== 'deposed') this.liveness.check();
  }

  /** Every few tens of ms: request timeouts, eviction figures, watches and TTLs. */
  sweep(): void {
    if (this.lifecycle.state === 'deposed') return;
    this.ctx.requests.sweep();
    this.eviction?.sweep();
    this.watchers.expire();
    // With no ready node a delete could not be sequenced, and a key taken from the queue would never be deleted.
    if (this.lifecycle.serving && this.ctx.membership.ready.length > 0) this.expiry.sweep();
  }

  // ---- what it reports ------------------------------------------------------------------------

  /** A summary for `stats`. */
  stats(): Record<string, unknown> {
    const { membership, log, acks, lifecycle, ports, options } = this.ctx;
    return {
      role: lifecycle.leading ? 'leader' : 'standby',
      leader: ports.leader() ?? null,
      state: lifecycle.state,
      epoch: log.epoch,
      seq: log.lastSeq,
      nodes: membership.size,
      ready: membership.ready.length,
      pendingWrites: acks.pending,
      pendingReads: this.reads.size,
      readsRouted: this.reads.routed,
      ttlKeys: this.expiry.size,
      watchers: this.watchers.size,
      recovering: lifecycle.state === 'standby' || lifecycle.state === 'recovering',
      takingWrites: lifecycle.serving && !this.startupFetch.active && membership.ready.length > 0,
      waiting: [...membership.all()].filter((node) => node.waiting).length,
      acknowledgedSeq: log.acknowledgedSeq,
      expiredKeys: this.expiry.expiredKeys,
      dedupHits: this.writes.dedupHits,
      connections: ports.connections(),
      partitioner: options.partitioner,
      backlog: log.backlogStats,
      maxStallMs: this.liveness.maxStallMs,
      ...this.eviction?.stats(),
    };
  }

  close(): void {
    this.ctx.outbox.flush();
    this.events.complete();
  }

  private onStateChange(from: BrokerState, to: BrokerState): void {
    this.ctx.logger.info('broker state', { from, to });
    if (to === 'recovering') this.ctx.acks.holdUntil(this.ctx.now() + this.ackHoldMs);
    if (to === 'serving') {
      this.registrations.startServing();
      this.ctx.acks.check();
    }
  }

  private wakeAcksLater(): void {
    const at = this.ctx.acks.nextWakeAt();
    if (at !== undefined) this.ports.requestWake(at);
  }

  private createEviction(): Eviction | undefined {
    const { maxmemory, maxmemoryPolicy, maxmemorySamples } = this.options;
    if (maxmemory === 0) return undefined;
    return new Eviction(
      { maxmemory, policy: maxmemoryPolicy, samples: maxmemorySamples },
      {
        membership: this.ctx.membership,
        requests: this.ctx.requests,
        now: this.ctx.now,
        logger: this.options.logger,
        evict: (key, bytes) => this.writes.submit(undefined, { kind: 'del', key }, 'all', bytes),
        emit: (event) => this.events.next(event),
      },
    );
  }

  /** The figures the metrics read. */
  metricsStats(): BrokerStats {
    return {
      epoch: this.ctx.log.epoch,
      seq: this.ctx.log.lastSeq,
      readsRouted: this.reads.routed,
      expiredKeys: this.expiry.expiredKeys,
      dedupHits: this.writes.dedupHits,
      connections: this.ports.connections(),
      nodes: this.ctx.membership.size,
    };
  }

  nodes(): Iterable<NodeRecord> {
    return this.ctx.membership.all();
  }

  /** The ids of the ready nodes. */
  readyNodeIds(): string[] {
    return this.ctx.membership.ready.map((node) => node.id);
  }

  /** Whether, while it recovers, the core holds a registration of each of these nodes. */
  holdsRegistrationsOf(nodeIds: readonly string[]): boolean {
    return this.registrations.holdsEvery(nodeIds);
  }
}
