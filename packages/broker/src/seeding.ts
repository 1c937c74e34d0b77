import type { BrokerContext } from './broker-context.js';
import type { Expiry } from './expiry.js';
import type { Joins, Registration } from './joins.js';
import type { NodeRecord } from './node-record.js';
import { chooseSeed, isBlank } from './seed-policy.js';
import type { StartupFetch } from './startup-fetch.js';

/** Starting an epoch (invariant 6): from which node's data, and when the cluster must wait instead. */
export class Seeding {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly joins: Joins,
    private readonly expiry: Expiry,
    private readonly startupFetch: StartupFetch,
  ) {}

  /**
   * With no node ready: starts an epoch from the best of these registrations and the nodes already
   * waiting, if the seed policy allows one; else they all wait for a node whose data is whole.
   */
  seedOrWait(registrations: readonly Registration[]): void {
    const { membership, log, options } = this.ctx;
    const added = registrations.map((registration) => this.joins.addNode(registration));
    const waiting = [...membership.all()].filter((node) => node.waiting);
    const candidates = waiting.map((node) => ({ node, nodeId: node.id, ...node.registered }));
    const decision = chooseSeed(candidates, {
      lastSeq: log.lastSeq,
      heardSeq: log.heardSeq,
      acknowledged: log.lastAcknowledged(),
      acceptDataLoss: options.acceptDataLoss,
    });
    if (decision.seed) return this.seed(decision.from.node, decision.loss);
    for (const node of added) this.joins.awaitSource(node, decision.reason);
  }

  /** Starts a new epoch from `registration`, which every other node then joins from. */
  restartEpochFrom(registration: Registration): void {
    const { membership, acks, options } = this.ctx;
    // Decided on nothing acknowledged in this epoch: demoting the ready nodes below must not let a
    // pending write complete now, with content the new epoch will not hold.
    acks.failAll('ERR_NOT_READY', 'the cluster started a new epoch before this write was applied everywhere');
    for (const node of [...membership.all()]) {
      if (node.state !== 'ready') continue;
      membership.setState(node, 'joining');
      // It may serve direct reads until its lease ends: later writes wait for that, as when a node leaves.
      acks.onNodeRemoved(node, node.leaseGrantedAt + options.leaseMs);
    }
    this.seed(this.joins.addNode(registration), undefined);
  }

  /**
   * Starts a new epoch from `from`'s data (invariant 6): it and the waiting nodes that hold the same
   * become ready as they are, and every other node joins from them. `loss` is set when `from` is not
   * whole, which only `acceptDataLoss` allows.
   */
  private seed(from: NodeRecord, loss: string | undefined): void {
    const { membership, log, acks, logger, events, ports } = this.ctx;
    const nodes = [...membership.all()];
    const epoch = ports.nextEpoch(Math.max(log.epoch, ...nodes.map((node) => node.registered.epoch)) + 1);
    // Writes stamped in the old epoch go out as its frames now, not later under the new one.
    log.sealAll();
    // The new epoch's content need not hold the old epoch's writes still waiting, and its nodes'
    // acknowledgements count from its start: they must not complete them. A retry is answered
    // from the nodes' recent writes if one applied it after all.
    acks.failAll('ERR_NOT_READY', 'the cluster started a new epoch before this write was applied everywhere');
    const origin = from.registered;
    const seq = log.startEpoch(epoch, isBlank(origin) ? undefined : origin, loss);
    if (loss)
      logger.error('epoch started from data that is not whole (--accept-data-loss): acknowledged writes may be lost', {
        epoch,
        seq,
        from: from.id,
        loss,
      });
    else logger.info('epoch started', { epoch, seq, from: from.id });
    events.next({ type: 'epoch:started', epoch, seq });
    const same = (node: NodeRecord): boolean =>
      node === from ||
      (node.waiting &&
        node.registered.whole === origin.whole &&
        node.registered.epoch === origin.epoch &&
        node.registered.seq === origin.seq &&
        node.registered.digest === origin.digest);
    const joiners: NodeRecord[] = [];
    for (const node of nodes) {
      if (same(node)) this.joins.makeReady(node, seq);
      else joiners.push(node);
    }
    for (const joiner of joiners) this.joins.startJoin(joiner);
    // The keys with a TTL are the origin's: its `expiries` answer rebuilds them.
    this.expiry.clear();
    if (!isBlank(origin)) this.startupFetch.start();
  }
}
