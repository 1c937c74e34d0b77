import type { Message, MessageOf } from '@brainer/protocol';
import type { BrokerContext } from './broker-context.js';
import type { NodeRecord } from './node-record.js';
import type { PeerId } from './ports.js';

/** A node's `register` or `resume`, and the connection it came on. */
export interface Registration {
  readonly peer: PeerId;
  readonly message: MessageOf<'register' | 'resume'>;
}

/**
 * How a node becomes ready: it is recorded as joining, gets the live write stream, and loads a
 * snapshot from a ready peer (invariant 4); or, with no ready peer, it waits with its data untouched
 * for a node whose data is whole.
 */
export class Joins {
  private lastJoinId = 0;
  /** Turns among sources that feed equally many joins, so that a run of joins spreads over them. */
  private sourceTurn = 0;

  constructor(private readonly ctx: BrokerContext) {}

  /** Records a registered node as joining, with no source yet. */
  addNode({ peer, message }: Registration): NodeRecord {
    const now = this.ctx.now();
    const node: NodeRecord = {
      peer,
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
    this.ctx.membership.add(node);
    return node;
  }

  /** A new join id, for a join or a resync. */
  nextJoinId(): number {
    return ++this.lastJoinId;
  }

  /**
   * Starts (or restarts) a node's join: from now on it gets the live write stream, and it loads a
   * snapshot taken at the current seq or later from a ready peer (invariant 4).
   */
  startJoin(node: NodeRecord): void {
    const { membership, log, outbox, logger, events } = this.ctx;
    const source = this.pickSource();
    // A node that is not whole never seeds an epoch: with no ready source, the joiner waits for one.
    if (!source) return this.awaitSource(node, 'no ready node to join from');
    // Writes stamped before this point go out first, so the snapshot source has them all.
    log.sealAll();
    if (node.state !== 'joining') membership.setState(node, 'joining');
    node.joinId = this.nextJoinId();
    node.sourceId = source.id;
    node.waiting = false;
    node.sync = 'full';
    node.progress = { received: 0, total: source.keys };
    outbox.sendNow(node.peer, this.welcome(node, 'joining', { source }));
    logger.info('node joining', { node: node.id, endpoint: node.endpoint, source: source.id, joinId: node.joinId, seq: log.lastSeq });
    events.next({ type: 'node:joining', nodeId: node.id, endpoint: node.endpoint, sourceId: source.id, joinId: node.joinId });
  }

  /**
   * Tells a joining node that no source is ready: it keeps its data, heartbeats, and serves nothing
   * until a whole node seeds an epoch, which it then joins from.
   */
  awaitSource(node: NodeRecord, reason: string): void {
    if (node.state !== 'joining') this.ctx.membership.setState(node, 'joining');
    node.waiting = true;
    node.joinId = this.nextJoinId();
    node.sourceId = '';
    node.progress = { received: 0, total: 0 };
    this.ctx.outbox.sendNow(node.peer, this.welcome(node, 'joining', { reset: false }));
    this.ctx.logger.warn('node waits for a node whose data is whole', { node: node.id, reason });
    this.holdAlarm(reason);
  }

  /** Makes a node that holds the epoch's content ready as it is. */
  makeReady(node: NodeRecord, seq: number): void {
    node.waiting = false;
    node.acked = seq;
    node.sync = 'none';
    this.ctx.membership.setState(node, 'ready');
    this.ctx.outbox.sendNow(node.peer, this.welcome(node, 'ready', { reset: false }));
    this.announceReady(node);
  }

  onCaughtUp(node: NodeRecord, message: MessageOf<'caught-up'>): void {
    if (node.state !== 'joining' || message.joinId !== node.joinId) return;
    node.acked = Math.max(node.acked, message.seq);
    node.seq = message.seq;
    node.progress = { received: node.progress.total, total: node.progress.total };
    this.ctx.membership.setState(node, 'ready');
    this.announceReady(node);
    this.ctx.acks.check();
  }

  onJoinFailed(node: NodeRecord, message: MessageOf<'join-failed'>): void {
    if (node.state !== 'joining' || message.joinId !== node.joinId) return;
    this.ctx.logger.warn('join failed; restarting it', { node: node.id, joinId: message.joinId, reason: message.reason });
    this.ctx.events.next({ type: 'join:failed', nodeId: node.id, joinId: message.joinId, reason: message.reason });
    this.startJoin(node);
  }

  /** Restarts the joins that were loading from `source`, which is gone. */
  onSourceLost(source: NodeRecord): void {
    for (const joiner of [...this.ctx.membership.all()]) {
      if (joiner.state !== 'joining' || joiner.sourceId !== source.id) continue;
      this.ctx.logger.warn('snapshot source lost; restarting the join', { node: joiner.id, source: source.id });
      this.ctx.events.next({ type: 'join:failed', nodeId: joiner.id, joinId: joiner.joinId, reason: 'source lost' });
      this.startJoin(joiner);
    }
  }

  /** Logs, at most every 5 s, that the cluster holds writes and reads for want of a whole node. */
  holdAlarm(reason = 'no node whose data is whole is present'): void {
    this.ctx.alarms.error(
      'hold',
      'holding writes and reads: no node whose data is whole is present, and starting from a node that is not whole would lose acknowledged writes; start a node that holds the data, or restart the broker with --accept-data-loss to start from the most advanced node there is',
      { reason, nodes: this.ctx.membership.size },
    );
  }

  private announceReady(node: NodeRecord): void {
    this.ctx.log.vouch(node.id);
    this.ctx.logger.info('node ready', {
      node: node.id,
      endpoint: node.endpoint,
      seq: node.acked,
      sync: node.sync,
      nodes: this.ctx.membership.ready.length,
    });
    this.ctx.events.next({ type: 'node:ready', nodeId: node.id, endpoint: node.endpoint, seq: node.acked });
  }

  /** The ready node that feeds the fewest joins now, taken in turn among equals. */
  private pickSource(): NodeRecord | undefined {
    const ready = this.ctx.membership.ready;
    if (ready.length === 0) return undefined;
    const load = new Map<string, number>();
    for (const node of this.ctx.membership.all()) {
      if (node.state === 'joining') load.set(node.sourceId, (load.get(node.sourceId) ?? 0) + 1);
    }
    const least = Math.min(...ready.map((node) => load.get(node.id) ?? 0));
    const candidates = ready.filter((node) => (load.get(node.id) ?? 0) === least);
    return candidates[this.sourceTurn++ % candidates.length];
  }

  private welcome(node: NodeRecord, state: 'ready' | 'joining', extra: { reset?: boolean; source?: NodeRecord }): Message {
    const { options, log } = this.ctx;
    return {
      type: 'welcome',
      epoch: log.epoch,
      state,
      seq: log.lastSeq,
      reset: extra.reset ?? state === 'joining',
      joinId: node.joinId,
      sourceId: extra.source?.id ?? '',
      sourceEndpoint: extra.source?.endpoint ?? '',
      heartbeatMs: options.heartbeatMs,
      leaseMs: options.leaseMs,
      limits: options.limits,
    };
  }
}
