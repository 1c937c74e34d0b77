import { jsonOf, type NodeError, type Reply } from '@brainer/protocol';
import type { Membership } from './membership.js';
import { toNodeInfo, type NodeRecord, type NodeStanding } from './node-record.js';
import type { NodeRequests, RequestOwner } from './node-requests.js';
import type { Outbox } from './outbox.js';
import type { ReplyTarget } from './reply-target.js';

interface Query {
  readonly target: ReplyTarget;
  /** Nodes asked that have not answered, timed out or left. */
  waiting: number;
  /** The broker's acknowledged position when the query began: a node's fresh answer must be at or past it. */
  readonly acknowledged: number;
  /** The nodes that answered this query, whose figures are fresh. */
  readonly answered: Set<string>;
}

/** How the broker judges the nodes it lists: whether a ready node can hold every acknowledged write, and its lag and lease. */
export interface ContentJudge {
  /** The highest seq every ready node must have applied. */
  acknowledgedSeq(): number;
  /** Why the node may miss acknowledged writes, given that position and whether its figures are fresh. */
  errorOf(node: NodeRecord, acknowledged: number, fresh: boolean): NodeError | undefined;
  /** The node's lag and lease as the broker sees them now. */
  standingOf(node: NodeRecord): NodeStanding;
}

/** What a node answers to `stats`. */
interface NodeStats {
  keys?: unknown;
  seq?: unknown;
  digest?: unknown;
  progress?: { received?: unknown; total?: unknown };
}

/**
 * Answers `nodes`: asks every registered node for its current figures, then answers with the
 * whole table. Nodes that do not answer in time are shown with their last heartbeat's figures.
 */
export class NodesQuery implements RequestOwner<Query> {
  constructor(
    private readonly membership: Membership,
    private readonly requests: NodeRequests,
    private readonly outbox: Outbox,
    private readonly judge: ContentJudge,
  ) {}

  start(target: ReplyTarget): void {
    const query: Query = { target, waiting: 0, acknowledged: this.judge.acknowledgedSeq(), answered: new Set() };
    for (const node of this.membership.all()) {
      query.waiting++;
      this.requests.ask(node, { op: 'stats' }, this, query);
    }
    if (query.waiting === 0) this.finish(query);
  }

  answered(node: NodeRecord, reply: Reply, query: Query): void {
    const stats = reply.ok ? jsonOf(reply.value) : undefined;
    if (stats !== null && typeof stats === 'object') {
      applyStats(node, stats as NodeStats);
      query.answered.add(node.id);
    }
    if (--query.waiting === 0) this.finish(query);
  }

  /** A node that does not answer in time, or leaves, is shown with the figures of its last heartbeat. */
  unanswered(_nodeId: string, _why: string, query: Query): void {
    if (--query.waiting === 0) this.finish(query);
  }

  private finish(query: Query): void {
    const nodes = [...this.membership.all()]
      .map((node) =>
        toNodeInfo(node, this.judge.standingOf(node), this.judge.errorOf(node, query.acknowledged, query.answered.has(node.id))),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.outbox.reply(query.target.peer, { id: query.target.opId, ok: true, value: { json: nodes } });
  }
}

function applyStats(node: NodeRecord, stats: NodeStats): void {
  if (typeof stats.keys === 'number') node.keys = stats.keys;
  if (typeof stats.seq === 'number') node.seq = stats.seq;
  if (typeof stats.digest === 'string') node.digest = stats.digest;
  const progress = stats.progress;
  if (progress && typeof progress.received === 'number' && typeof progress.total === 'number') {
    node.progress = { received: progress.received, total: progress.total };
  }
}
