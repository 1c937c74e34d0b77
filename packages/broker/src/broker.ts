import { Subject, type Observable } from 'rxjs';
import { BrokerCore } from './broker-core.js';
import { BrokerMetrics } from './broker-metrics.js';
import { BrokerTransport } from './broker-transport.js';
import { EPOCHS_PER_TERM, EtcdElection, type Takeover } from './etcd-election.js';
import type { BrokerEvent } from './events.js';
import { resolveBrokerOptions, type BrokerOptions } from './options.js';
import type { BrokerPorts } from './ports.js';

/** How often the broker checks request timeouts and TTLs, in ms. */
const SWEEP_MS = 50;
/** How often a broker that starts to lead checks whether the nodes it waits for have all registered, in ms. */
const REGISTRATION_CHECK_MS = 20;

/**
 * The broker process's engine: the one entry point for clients and nodes. It wires the broker core
 * (membership, the write sequence and its fan-out, read routing, joins) to a ZeroMQ ROUTER, to the
 * timers that tick it and, with `etcd`, to the election that says when it leads. A core that loses
 * the leadership is deposed for good, and a fresh one stands by in its place.
 */
export class Broker {
  private readonly options: BrokerOptions;
  private readonly transport: BrokerTransport;
  private readonly election: EtcdElection | undefined;
  private readonly metrics: BrokerMetrics | undefined;
  private readonly events = new Subject<BrokerEvent>();
  private core: BrokerCore;
  private readonly timers: NodeJS.Timeout[] = [];
  private wakeTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private flushQueued = false;
  private started = false;
  private closed = false;
  private boundEndpoint: string;

  /** Membership changes and joins, as they happen. */
  readonly events$: Observable<BrokerEvent> = this.events.asObservable();

  constructor(options: Partial<BrokerOptions> = {}) {
    this.options = resolveBrokerOptions(options);
    const { logger, now, etcd, cluster, electionTtlS, leaseMs } = this.options;
    this.boundEndpoint = this.options.endpoint;
    this.transport = new BrokerTransport(
      (peer, frames) => {
        // A leader woken from a pause past its lease steps down before it handles what waited in
        // its socket, so that a standby's core answers it (ERR_NOT_LEADER) instead of nothing.
        if (this.election !== undefined && this.core.lifecycle.leading && !this.election.holdsLeadership()) this.election.checkLease();
        this.core.receive(peer, frames);
      },
      (peer, error) => this.core.onSendError(peer, error),
      (error) => logger.error('a message handler failed; the broker goes on', { error: String((error as Error)?.stack ?? error) }),
      this.options,
    );
    this.election =
      etcd.length === 0
        ? undefined
        : new EtcdElection(
            { hosts: etcd, cluster, ttlS: electionTtlS, readLeaseMs: leaseMs, now, logger },
            { elected: (_term, takeover) => this.lead(takeover), deposed: (reason) => this.stepDown(reason) },
          );
    const source = { stats: () => this.core.metricsStats(), nodes: () => this.core.nodes(), events$: this.events$, now };
    this.metrics = this.options.metrics && new BrokerMetrics(this.options.metrics, source);
    this.core = this.standbyCore();
  }

  /** The bound endpoint: for `tcp://host:*`, the port actually chosen. */
  get endpoint(): string {
    return this.boundEndpoint;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.boundEndpoint = await this.transport.bind(this.options.endpoint);
    const { heartbeatMs, leaseMs, partitioner, logger, cluster } = this.options;
    this.timers.push(setInterval(() => this.core.checkLiveness(), heartbeatMs));
    this.timers.push(setInterval(() => this.core.sweep(), SWEEP_MS));
    const election = this.election ? { cluster } : {};
    logger.info('broker listening', { endpoint: this.boundEndpoint, heartbeatMs, leaseMs, partitioner, ...election });
    if (this.election) this.election.start(this.boundEndpoint);
    else this.lead();
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
    clearTimeout(this.wakeTimer?.timer);
    this.core.close();
    this.events.complete();
    // Resigning lets a standby take over at once instead of after the lease's TTL.
    await this.election?.close();
    this.transport.close();
  }

  /** A summary for `stats`. */
  stats(): Record<string, unknown> {
    return this.core.stats();
  }

  /**
   * Leads: the core learns the nodes' state, and acknowledges no write until the read leases a
   * predecessor granted have lapsed (invariants 3, 6 and 9): a whole lease period, or the hold an
   * elected predecessor wrote in its key. It holds the registrations for its start-up wait, or, at
   * a take-over, until every node the predecessor named as ready has registered, if that is sooner.
   */
  private lead(takeover?: Takeover): void {
    const { leaseMs, startupWaitMs } = this.options;
    const core = this.core;
    core.lead(takeover?.holdMs ?? leaseMs);
    const until = this.options.now() + startupWaitMs;
    const awaited = takeover?.nodes;
    const check = setInterval(() => {
      if (core !== this.core || core.lifecycle.state !== 'recovering') return clearInterval(check);
      if (this.options.now() < until && (awaited === undefined || !core.holdsRegistrationsOf(awaited))) return;
      clearInterval(check);
      core.serve();
    }, REGISTRATION_CHECK_MS);
    this.timers.push(check);
  }

  private stepDown(reason: string): void {
    if (!this.core.lifecycle.leading) return;
    this.options.logger.warn('deposed: this broker sends nothing more as leader, and stands by', { reason });
    this.core.depose();
    this.core.close();
    this.core = this.standbyCore();
  }

  private standbyCore(): BrokerCore {
    const core = new BrokerCore(this.options, this.ports(), this.metrics);
    core.events$.subscribe((event) => {
      this.events.next(event);
      // The next leader waits for the nodes ready under this one: they hold the acknowledged writes.
      if (event.type === 'node:ready' || event.type === 'node:lost' || event.type === 'epoch:started') {
        this.election?.publishReadyNodes(core.readyNodeIds().sort());
      }
    });
    return core;
  }

  private ports(): BrokerPorts {
    const election = this.election;
    return {
      send: (peer, frame) => this.transport.send(peer, frame),
      reaches: (peer, frame) => (this.closed ? Promise.resolve(false) : this.transport.reaches(peer, frame)),
      inputDrainedAt: () => this.transport.inputDrainedAt,
      connections: () => this.transport.connections,
      now: this.options.now,
      requestFlush: () => this.queueFlush(),
      requestWake: (at) => this.wakeAt(at),
      // A leader's epochs lie in its term's range, above every earlier leader's (PROTOCOL.md 5.17).
      nextEpoch: (atLeast) => Math.max(atLeast, (election?.leadingTerm ?? 0) * EPOCHS_PER_TERM),
      holdsLeadership: () => election === undefined || election.holdsLeadership(),
      leader: () => (election ? election.leader : this.boundEndpoint),
    };
  }

  /** The core's flush runs once the input already read in this turn is handled. */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.closed) this.core.flush();
    });
  }

  /** One timer for the core's wake-ups: the earliest asked for wins. */
  private wakeAt(at: number): void {
    if (this.closed || (this.wakeTimer && this.wakeTimer.at <= at)) return;
    clearTimeout(this.wakeTimer?.timer);
    const timer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.core.wake();
      },
      Math.max(1, at - this.options.now()),
    );
    this.wakeTimer = { at, timer };
  }
}
