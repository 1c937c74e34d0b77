import type { Op, Reply } from '@brainer/protocol';
import type { NodeRecord } from './node-record.js';
import type { Outbox } from './outbox.js';

/** An op to send a node; the layer gives it its id. */
export type NodeOp = Op extends infer O ? (O extends Op ? Omit<O, 'id'> : never) : never;

/** Why a request got no answer. */
export type Unanswered = 'timeout' | 'node-gone';

/** Who asked: told of the answer, or that none will come. `C` is what it keeps for the request. */
export interface RequestOwner<C> {
  answered(node: NodeRecord, reply: Reply, context: C): void;
  unanswered(nodeId: string, why: Unanswered, context: C): void;
}

interface Pending {
  readonly nodeId: string;
  readonly deadline: number;
  readonly owner: RequestOwner<unknown>;
  readonly context: unknown;
}

/**
 * The broker's one request/reply layer to nodes: it gives each op an id, matches the answer to the
 * node it was sent to, and tells the owner once of the answer, the deadline passing, or the node
 * leaving. Every request has the same timeout, so the pending map stays in deadline order.
 */
export class NodeRequests {
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;

  constructor(
    private readonly outbox: Outbox,
    private readonly now: () => number,
    readonly timeoutMs: number,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends `op` to `node` with the tick's ops to it; returns the id it went out with. The op's id is
   * set in place (a copy of every routed read saved), so an op asked again, as a read moving on to
   * another node, goes under its new id: the old one's answer is no longer awaited.
   */
  ask<C>(node: NodeRecord, op: NodeOp, owner: RequestOwner<C>, context: C): number {
    const id = this.nextId();
    this.pending.set(id, { nodeId: node.id, deadline: this.now() + this.timeoutMs, owner: owner as RequestOwner<unknown>, context });
    (op as Op).id = id;
    this.outbox.op(node.peer, op as Op);
    return id;
  }

  /** Forgets a request: its owner hears nothing more of it. */
  cancel(id: number): void {
    this.pending.delete(id);
  }

  /** An answer from `node`; one to a request it was not sent, or one already settled, is ignored. */
  onReply(node: NodeRecord, reply: Reply): void {
    const request = this.pending.get(reply.id);
    if (!request || request.nodeId !== node.id) return;
    this.pending.delete(reply.id);
    request.owner.answered(node, reply, request.context);
  }

  onNodeRemoved(node: NodeRecord): void {
    for (const [id, request] of this.pending) {
      if (request.nodeId !== node.id) continue;
      this.pending.delete(id);
      request.owner.unanswered(node.id, 'node-gone', request.context);
    }
  }

  /** Settles every request whose deadline has passed. */
  sweep(): void {
    const now = this.now();
    for (const [id, request] of this.pending) {
      if (request.deadline > now) break;
      this.pending.delete(id);
      request.owner.unanswered(request.nodeId, 'timeout', request.context);
    }
  }

  private nextId(): number {
    do this.lastId = this.lastId >= 0xffffffff ? 1 : this.lastId + 1;
    while (this.pending.has(this.lastId));
    return this.lastId;
  }
}
