import type { Logger } from '@brainer/protocol';
import { requireSafeIpcPeer } from '@brainer/transport';
import type { BrokerList } from './broker-list.js';
import { ClientTransport, newClientId } from './client-transport.js';
import type { CurveClientOptions } from './curve-options.js';
import type { Delivered } from './reply-frames.js';

/** How long calls wait before they are sent again once every broker of the list has been tried in vain. */
const ROUND_BACKOFF_MS = 200;

export interface BrokerLinkOptions {
  /** False: the link stays with the first broker whatever happens. */
  followLeader: boolean;
  /** After how long without an answer the link gives up on a broker and moves to the next, in ms. */
  attemptTimeoutMs: number;
  allowForeignSocket: boolean;
  curve: CurveClientOptions | undefined;
  now: () => number;
  logger: Logger;
  /** Hands over what the current broker sent, and says what it held. */
  onFrames: (frames: Buffer[]) => Delivered;
  /** The link moved to `endpoint`: send every waiting call there after `delayMs`. */
  onMove: (endpoint: string, delayMs: number) => void;
}

/**
 * The client's connection to the one broker it talks to now, out of its list. It moves on when that
 * broker is a standby (ERR_NOT_LEADER: to the leader it names, else to the next broker), refuses the
 * connection, drops it, or leaves an attempt unanswered. Every connection it opens has the same identity, so
 * a write sent again to the new broker is deduplicated like any retry (PROTOCOL.md 5.1, 5.17).
 */
export class BrokerLink {
  private transport: ClientTransport | undefined;
  private readonly routingId = newClientId();
  private openedAt = 0;
  /** The brokers that refused a connection since one last sent anything. */
  private readonly refusedBy = new Set<string>();
  private readonly unreachableListeners = new Set<() => void>();
  private closed = false;

  constructor(
    readonly brokers: BrokerList,
    private readonly options: BrokerLinkOptions,
  ) {}

  /** The broker the link talks to now. */
  get endpoint(): string {
    return this.brokers.current;
  }

  /** Connects to the current broker, unless connected; throws when its ipc socket may belong to another user. */
  open(): ClientTransport | undefined {
    if (this.transport || this.closed) return this.transport;
    const endpoint = this.brokers.current;
    requireSafeIpcPeer(endpoint, this.options);
    const transport: ClientTransport = new ClientTransport(
      endpoint,
      (frames) => this.onFrames(transport, frames),
      (error) => this.options.logger.warn('send failed', { endpoint, error: String(error) }),
      this.options.curve,
      this.routingId,
    );
    this.transport = transport;
    this.openedAt = this.options.now();
    void transport.refused.then(() => this.onRefused(transport));
    void transport.dropped.then(() => this.onDropped(transport));
    return transport;
  }

  send(frame: Buffer): void {
    this.transport?.send(frame);
  }

  /** Some calls went unanswered for a whole attempt: with several brokers, try the next one. */
  onAttemptTimeout(): void {
    if (this.transport === undefined || !this.brokers.several) return;
    // Only a broker that has had a whole attempt to answer is given up on.
    if (this.options.now() - this.openedAt < this.options.attemptTimeoutMs) return;
    this.moveTo(() => this.brokers.next(), 'no answer');
  }

  /** A standby answered `stats` naming `leader`, or none: go there, else to the next broker. */
  followStandby(leader: string | undefined): void {
    this.moveTo(() => this.brokers.toward(leader), 'a standby');
  }

  /**
   * Calls `listener` each time every broker of the list has refused a connection since one last sent
   * anything. Returns what stops it.
   */
  whenUnreachable(listener: () => void): () => void {
    this.unreachableListeners.add(listener);
    return () => this.unreachableListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.unreachableListeners.clear();
    this.transport?.close();
    this.transport = undefined;
  }

  private onFrames(transport: ClientTransport, frames: Buffer[]): void {
    // What a connection left behind sends is dropped: its calls go again to the new one.
    if (transport !== this.transport) return;
    this.refusedBy.clear();
    const delivered = this.options.onFrames(frames);
    const notLeader = delivered.notLeader;
    if (notLeader !== undefined) this.moveTo(() => this.brokers.afterNotLeader(notLeader), 'not the leader');
    else if (delivered.replies > 0) this.brokers.answered();
  }

  /** The broker's connection dropped (it died, most likely): with several brokers, the next one is tried at once. */
  private onDropped(transport: ClientTransport): void {
    if (transport !== this.transport || !this.brokers.several) return;
    this.moveTo(() => this.brokers.next(), 'the connection dropped');
  }

  private onRefused(transport: ClientTransport): void {
    if (transport !== this.transport) return;
    this.refusedBy.add(this.brokers.current);
    if (this.refusedBy.size >= this.brokers.endpoints.length) for (const listener of [...this.unreachableListeners]) listener();
    this.moveTo(() => this.brokers.next(), 'refused the connection');
  }

  /** Moves to the broker `choose` picks, if any, away from the one that `reason` is about. */
  private moveTo(choose: () => string | undefined, reason: string): void {
    if (this.closed || !this.options.followLeader) return;
    const endpoint = choose();
    if (endpoint === undefined) return;
    this.options.logger.info('moving to another broker', { endpoint, reason });
    this.transport?.close();
    this.transport = undefined;
    try {
      this.open();
    } catch (error) {
      // An unsafe ipc socket: calls fail with that error when they next try to open it.
      this.options.logger.warn('cannot connect to the broker', { endpoint, error: String(error) });
      return;
    }
    this.options.onMove(endpoint, this.brokers.wentRound ? ROUND_BACKOFF_MS : 0);
  }
}
