import type { BrokerContext } from './broker-context.js';
import { errorMessage } from './answers.js';
import type { Joins, Registration } from './joins.js';
import type { Liveness } from './liveness.js';
import type { NodeRecord } from './node-record.js';
import type { Seeding } from './seeding.js';

/**
 * A node's registration (`register`, or `resume` with its data's position): refused under a node id
 * a live process holds, held while the broker is not yet serving, and otherwise turned into a seed,
 * a resync from the backlog, or a full join.
 */
export class Registrations {
  /** Registrations held until the broker serves: it learns what every node holds first. */
  private held: Registration[] = [];

  constructor(
    private readonly ctx: BrokerContext,
    private readonly joins: Joins,
    private readonly seeding: Seeding,
    private readonly liveness: Liveness,
  ) {}

  get holding(): number {
    return this.held.length;
  }

  /** Whether a registration of each of these nodes is held. */
  holdsEvery(nodeIds: readonly string[]): boolean {
    return nodeIds.every((id) => this.held.some((held) => held.message.nodeId === id));
  }

  /**
   * A registration under a node id that another process holds (another connection and another
   * incarnation) is refused while that holder is alive: two live nodes under one id would steal the
   * registration from each other without end. A holder whose connection is gone (it crashed, and
   * this is its restart) gives the id up at once. The probe is a heartbeat-ack granting no lease,
   * which a node ignores.
   */
  onRegister(registration: Registration): void {
    const holder = this.idHolder(registration);
    if (holder === undefined) return this.admit(registration);
    const { outbox, log, logger, alarms, lifecycle } = this.ctx;
    const probe = { type: 'heartbeat-ack', sentAt: 0, epoch: log.epoch, leaseMs: 0, brokerAt: this.ctx.now() } as const;
    void outbox.probe(holder.peer, probe).then((alive) => {
      if (!lifecycle.maySend) return;
      const { peer, message } = registration;
      if (!alive || this.idHolder(registration) !== holder) {
        logger.info('node id taken back from a holder that is gone', { node: message.nodeId, endpoint: message.endpoint });
        return this.admit(registration);
      }
      const holderEndpoint = 'message' in holder ? holder.message.endpoint : holder.endpoint;
      const reason =
        `node id ${message.nodeId} is held by a live node at ${holderEndpoint}; ` +
        `this registration from ${message.endpoint} is refused: give each node its own --id`;
      // A warning, not an error: the refusal is the broker doing its job; the refused node is the one that fails.
      alarms.warn(`id:${message.nodeId}`, 'refused a second node under a node id a live node holds', {
        node: message.nodeId,
        holder: holderEndpoint,
        refused: message.endpoint,
      });
      outbox.sendNow(peer, errorMessage('ERR_NODE_ID_TAKEN', reason));
    });
  }

  /** The broker now serves: the most advanced of the nodes held become the cluster's content. */
  startServing(): void {
    const held = this.held;
    this.held = [];
    if (held.length > 0) this.seeding.seedOrWait(held);
  }

  /** Who holds `registration`'s node id, if it is another process: a registered node, or a registration held. */
  private idHolder({ peer, message }: Registration): NodeRecord | Registration | undefined {
    const holder = this.ctx.membership.byNodeId(message.nodeId) ?? this.held.find((held) => held.message.nodeId === message.nodeId);
    if (holder === undefined || holder.peer === peer) return undefined;
    const incarnation = 'message' in holder ? holder.message.incarnation : holder.incarnation;
    return incarnation === message.incarnation ? undefined : holder;
  }

  private admit(registration: Registration): void {
    const { peer, message } = registration;
    const { membership, log, options, lifecycle } = this.ctx;
    log.heardSeq = Math.max(log.heardSeq, message.seq);
    // The record with this node id and the one on this connection may be two: drop both, or the
    // one left would stay in the ring with no connection to hear from it.
    for (const existing of new Set([membership.byNodeId(message.nodeId), membership.byPeer(peer)])) {
      if (existing) this.liveness.dropNode(existing, 're-registered', existing.leaseGrantedAt + options.leaseMs);
    }
    if (!lifecycle.serving) {
      this.held = this.held.filter((held) => held.message.nodeId !== message.nodeId);
      this.held.push(registration);
      return;
    }
    if (membership.ready.length === 0) this.seeding.seedOrWait([registration]);
    else if (message.type === 'resume') this.resumeOrJoin(registration);
    else if (message.epoch > this.ctx.log.epoch) this.keepOutAbove(registration);
    else this.joins.startJoin(this.joins.addNode(registration));
  }

  /**
   * A node whose data is not whole, of an epoch above this cluster's: a broker with a higher epoch
   * led it since this one started. A welcome in this epoch would be refused by its fence, without
   * end, and its data has nothing the cluster needs: it is kept out, with the way back said.
   */
  private keepOutAbove({ peer, message }: Registration): void {
    const { log, alarms, outbox } = this.ctx;
    const reason =
      `node ${message.nodeId} has data of epoch ${message.epoch}, above this cluster's epoch ${log.epoch}, and not whole: ` +
      `a broker with a higher epoch led it since this one started, so it would refuse this broker's welcome`;
    // A warning, as for a node id taken: the refusal is the broker doing its job; the node it keeps out logs the error.
    alarms.warn(
      `above:${message.nodeId}`,
      "node kept out: it holds data of a higher epoch than the cluster's, and that data is not whole; remove the node's data directory so that it joins, or start the broker that led it",
      { node: message.nodeId, epoch: message.epoch, clusterEpoch: log.epoch },
    );
    outbox.sendNow(peer, errorMessage('ERR_DATA_AHEAD', reason));
  }

  /** A node that asks to resume catches up from the backlog if it can (a partial resync), else joins in full. */
  private resumeOrJoin(registration: Registration): void {
    const { log, outbox, logger, events, options } = this.ctx;
    const message = registration.message;
    const point = log.resumePoint(message);
    if ('reason' in point) {
      // After an epoch started from data that was not whole, any whole node knows better than the cluster.
      if (point.ahead || log.epochLoss !== undefined) return this.onDataAhead(registration);
      logger.info('node cannot resume from the backlog; it joins in full', { node: message.nodeId, reason: point.reason });
      return this.joins.startJoin(this.joins.addNode(registration));
    }
    const node = this.joins.addNode(registration);
    const seq = log.lastSeq;
    node.joinId = this.joins.nextJoinId();
    node.sync = 'partial';
    node.progress = { received: 0, total: seq - point.from };
    // What the node holds is this epoch's content from now on, whether it finishes or comes back again.
    log.vouch(node.id);
    const { heartbeatMs, leaseMs, limits } = options;
    const joinId = node.joinId;
    outbox.sendNow(node.peer, { type: 'catch-up', epoch: log.epoch, fromSeq: point.from, seq, joinId, heartbeatMs, leaseMs, limits });
    for (const frame of log.framesAfter(point.from)) outbox.broadcast([node.peer], frame);
    logger.info('node resyncing from the backlog', { node: node.id, endpoint: node.endpoint, joinId, fromSeq: point.from, seq });
    events.next({ type: 'node:resyncing', nodeId: node.id, endpoint: node.endpoint, joinId, fromSeq: point.from, seq });
  }

  /**
   * A whole node whose data is ahead of the point this epoch started from: it holds writes the
   * cluster lacks, perhaps acknowledged ones. Joining would wipe them. If this epoch has acknowledged
   * nothing yet, nothing is lost by starting it again from that node. If it goes past that point
   * only by writes never acknowledged, it joins in full. Otherwise the cluster and the node both
   * hold acknowledged writes the other lacks: the node is kept out, its data untouched, and the
   * operator decides.
   */
  private onDataAhead(registration: Registration): void {
    const { log, logger, alarms, outbox } = this.ctx;
    const { peer, message } = registration;
    const where = { node: message.nodeId, epoch: message.epoch, seq: message.seq, clusterEpoch: log.epoch };
    if (log.acknowledgedSeq <= log.epochStartSeq) {
      logger.warn(
        'node registered with data ahead of the cluster, which has acknowledged nothing since it started: the epoch starts again from it',
        where,
      );
      return this.seeding.restartEpochFrom(registration);
    }
    const origin = log.origin;
    if (!log.epochLoss && origin?.epoch === message.epoch && log.acknowledgedNothingAfter(message.epoch, origin.seq)) {
      logger.info("node's data goes past where this epoch started only by writes that were never acknowledged: it joins in full", {
        ...where,
        originSeq: origin.seq,
      });
      return this.joins.startJoin(this.joins.addNode(registration));
    }
    const start = log.epochLoss ? 'data that was not whole' : 'an earlier point';
    const reason =
      `node ${message.nodeId} holds whole data (epoch ${message.epoch}, seq ${message.seq}) that this epoch may lack (it started from ${start}), ` +
      `and this epoch has acknowledged writes since (up to seq ${log.acknowledgedSeq}): joining would drop what only the node holds`;
    alarms.error(
      `ahead:${message.nodeId}`,
      "node kept out: its data is ahead of the cluster, which has acknowledged writes of its own since; to keep the cluster, remove the node's data directory; to keep the node's data, restart the broker with only that node first",
      { ...where, acknowledgedSeq: log.acknowledgedSeq },
    );
    outbox.sendNow(peer, errorMessage('ERR_DATA_AHEAD', reason));
  }
}
