import type { Observable } from 'rxjs';
import { BrokerCore } from './broker-core.js';
import { BrokerTransport } from './broker-transport.js';
import type { BrokerEvent } from './events.js';
import { resolveBrokerOptions, type BrokerOptions } from './options.js';
import type { BrokerPorts } from './ports.js';

/** How often the broker checks request timeouts and TTLs, in ms. */
const SWEEP_MS = 50;

/**
 * The broker process's engine: the one entry point for clients and nodes. It wires the broker core
 * (membership, the write sequence and its fan-out, read routing, joins) to a ZeroMQ ROUTER and to
 * the timers that tick it.
 */
export class Broker {
  private readonly options: BrokerOptions;
  private readonly transport: BrokerTransport;
  private readonly core: BrokerCore;
  private readonly timers: NodeJS.Timeout[] = [];
  private wakeTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  private flushQueued = false;
  private started = false;
  private closed = false;
  private boundEndpoint: string;

  /** Membership changes and joins, as they happen. */
  readonly events$: Observable<BrokerEvent>;

  constructor(options: Partial<BrokerOptions> = {}) {
    this.options = resolveBrokerOptions(options);
    const { logger, now } = this.options;
    this.boundEndpoint = this.options.endpoint;
    this.transport = new BrokerTransport(
      (peer, frames) => this.core.receive(peer, frames),
      (peer, error) => this.core.onSendError(peer, error),
      (error) => logger.error('a message handler failed; the broker goes on', { error: String((error as Error)?.stack ?? error) }),
      this.options,
    );
    const ports: BrokerPorts = {
      send: (peer, frame) => this.transport.send(peer, frame),
      reaches: (peer, frame) => (this.closed ? Promise.resolve(false) : this.transport.reaches(peer, frame)),
      inputDrainedAt: () => this.transport.inputDrainedAt,
      connections: () => this.transport.connections,
      now,
      requestFlush: () => this.queueFlush(),
      requestWake: (at) => this.wakeAt(at),
      nextEpoch: (atLeast) => atLeast,
    };
    this.core = new BrokerCore(this.options, ports);
    this.events$ = this.core.events$;
  }

  /** The bound endpoint: for `tcp://host:*`, the port actually chosen. */
  get endpoint(): string {
    return this.boundEndpoint;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.boundEndpoint = await this.transport.bind(this.options.endpoint);
    const { heartbeatMs, leaseMs, partitioner, startupWaitMs, logger } = this.options;
    this.timers.push(setInterval(() => this.core.checkLiveness(), heartbeatMs));
    this.timers.push(setInterval(() => this.core.sweep(), SWEEP_MS));
    // A broker cannot know the leases its predecessor granted: it learns the nodes' state and
    // acknowledges no write until one lease period has passed (invariants 3 and 6).
    this.core.lead();
    this.timers.push(setTimeout(() => this.core.serve(), startupWaitMs));
    logger.info('broker listening', { endpoint: this.boundEndpoint, heartbeatMs, leaseMs, partitioner });
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
    this.transport.close();
  }

  /** A summary for `stats`. */
  stats(): Record<string, unknown> {
    return this.core.stats();
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
