import { encode, type Message } from '@brainer/protocol';
import type { BrokerContext } from './broker-context.js';
import type { MembershipWatchers } from './membership-watchers.js';
import type { PeerId } from './ports.js';

/** Tells watching clients which nodes are ready, so they can read from them directly. */
export class MembershipPush {
  constructor(
    private readonly ctx: BrokerContext,
    private readonly watchers: MembershipWatchers,
  ) {}

  /** A client's `watch`: it gets the current membership at once, and every change while it renews. */
  watch(peer: PeerId): void {
    this.watchers.watch(peer);
    this.ctx.outbox.sendNow(peer, this.message());
  }

  /**
   * Sends the new set of ready nodes. It goes out at once, ahead of any reply batched in this tick,
   * so a client has the new membership before it hears of a write acknowledged under it.
   */
  push(): void {
    if (this.watchers.size === 0) return;
    this.ctx.outbox.broadcast(this.watchers.peers(), encode(this.message()));
  }

  private message(): Message {
    const { membership, log, options } = this.ctx;
    return {
      type: 'membership',
      version: membership.version,
      epoch: log.epoch,
      partitioner: options.partitioner,
      nodes: membership.ready.map((node) => ({ id: node.id, endpoint: node.endpoint })),
    };
  }
}
