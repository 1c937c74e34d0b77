import type { MessageOf } from '@brainer/protocol';
import type { BrokerContext } from './broker-context.js';
import type { Eviction } from './eviction.js';
import type { Joins } from './joins.js';
import type { MembershipWatchers } from './membership-watchers.js';
import type { NodeRecord } from './node-record.js';
import type { PeerId } from './ports.js';
import { StallDetector } from './stall-detector.js';

/**
 * Which nodes are alive: heartbeats grant read leases, and a node that stays silent, falls too far
 * behind or cannot be sent to is dropped. Writes it had not applied then complete on the nodes that
 * remain once the lease it may still hold has run out.
 */
export class Liveness {
  private readonly stalls: StallDetector;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly joins: Joins,
    private readonly watchers: MembershipWatchers,
    private readonly eviction: Eviction | undefined,
  ) {
    this.stalls = new StallDetector(ctx.options.heartbeatMs, ctx.options.heartbeatMs, ctx.now());
  }

  /** The most a liveness check has run late so far, in ms. */
  get maxStallMs(): number {
    return this.stalls.maxLateMs;
  }

  onHeartbeat(node: NodeRecord, message: MessageOf<'heartbeat'>): void {
    const now = this.ctx.now();
    node.lastHeartbeatAt = now;
    node.leaseGrantedAt = now;
    node.keys = message.keys;
    node.seq = message.seq;
    node.digest = message.digest;
    if (node.state === 'joining') node.progress = message.progress;
    // Only a ready node gets a read lease: a joiner's reads could miss writes acknowledged without it.
    this.ctx.outbox.sendNow(node.peer, {
      type: 'heartbeat-ack',
      sentAt: message.sentAt,
      epoch: this.ctx.log.epoch,
      leaseMs: node.state === 'ready' ? this.ctx.options.leaseMs : 0,
      brokerAt: now,
    });
  }

  /** Runs every heartbeat period. */
  check(): void {
    const { options, membership, log, ports } = this.ctx;
    const limit = options.heartbeatMs * options.heartbeatLiveness;
    const now = this.ctx.now();
    const stalledMs = this.stalls.tick(now);
    if (stalledMs > 0) return this.forgiveStall(stalledMs, now);
    // Time the broker itself was busy (a burst of big frames) is not counted as the nodes' silence.
    const busyMs = this.stalls.lateMs;
    if (busyMs > 0) for (const node of membership.all()) node.lastHeartbeatAt = Math.min(now, node.lastHeartbeatAt + busyMs);
    // Silence counts only up to the last time the socket's input was all read: a heartbeat still
    // waiting in the queue behind a burst of big frames is not silence. Input that never runs dry
    // delays a dead node's drop by one window at most.
    const heardUpTo = Math.max(ports.inputDrainedAt(), now - limit);
    for (const node of [...membership.all()]) {
      const leaseEndsAt = node.leaseGrantedAt + options.leaseMs;
      if (heardUpTo - node.lastHeartbeatAt > limit) this.dropNode(node, `missed ${options.heartbeatLiveness} heartbeats`, leaseEndsAt);
      // A node that cannot keep up is dropped rather than waited on, which also bounds what the
      // broker holds for it; it joins again once it catches its breath.
      else if (node.state === 'ready' && log.lastSeq - node.acked > options.maxOutstandingWrites) {
        this.dropNode(node, `fell ${log.lastSeq - node.acked} writes behind`, leaseEndsAt);
      }
    }
  }

  /** A send to `peer` failed: a node is dropped, a client forgotten. */
  onSendError(peer: PeerId, error: unknown): void {
    const node = this.ctx.membership.byPeer(peer);
    const code = (error as { code?: string }).code;
    if (node) {
      this.dropNode(node, `send failed (${code ?? String(error)})`, node.leaseGrantedAt + this.ctx.options.leaseMs);
    } else {
      this.watchers.forget(peer);
      this.ctx.logger.debug('dropped a reply to a client that is gone', { code });
    }
  }

  /**
   * Removes a node from membership and the ring. Writes it had not applied complete on the nodes
   * that remain, once the lease it may still hold has run out.
   */
  dropNode(node: NodeRecord, reason: string, leaseEndsAt: number): void {
    const { membership, logger, events, acks, requests } = this.ctx;
    if (membership.byPeer(node.peer) !== node) return;
    const wasReady = node.state === 'ready';
    membership.remove(node);
    logger.info('node lost', { node: node.id, endpoint: node.endpoint, reason, nodes: membership.ready.length });
    events.next({ type: 'node:lost', nodeId: node.id, reason });
    if (wasReady) acks.onNodeRemoved(node, leaseEndsAt);
    requests.onNodeRemoved(node);
    this.eviction?.onNodeRemoved(node);
    this.joins.onSourceLost(node);
    this.ctx.wakeAcksLater();
  }

  /**
   * The broker itself stalled: the nodes' heartbeats sent meanwhile wait unread in its socket. Each
   * node gets a full liveness window from now, in which those are read, before it is judged again.
   */
  private forgiveStall(stalledMs: number, now: number): void {
    this.ctx.logger.warn('broker stalled; the nodes get a liveness window before they are judged', {
      stalledMs,
      nodes: this.ctx.membership.size,
    });
    for (const node of this.ctx.membership.all()) node.lastHeartbeatAt = Math.max(node.lastHeartbeatAt, now);
  }
}
