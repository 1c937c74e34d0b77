import { jsonOf, type NodeError, type Reply } from '@brainer/protocol';
import type { Membership } from './membership.js';
import { toNodeInfo, type NodeRecord, type NodeStanding } from './node-record.js';
import type { Outbox } from './outbox.js';
import { READ_ID_LIMIT } from './read-router.js';

/** The op id of a new broker's one request for a node's recent writes. */
export const RECENT_FETCH_ID = 0xffffffff;
/** The op id of a new broker's one request for a node's keys with a TTL. */
export const EXPIRIES_FETCH_ID = 0xfffffffe;
/** The op ids of eviction rounds (`evict-sample`), one a round, in turn. */
export const EVICTION_IDS = { first: 0xffffff00, last: 0xfffffffd } as const;
import type { ReplyTarget } from './reply-target.js';

interface Query {
  readonly target: ReplyTarget;
  readonly waiting: Set<number>;
  readonly deadline: number;
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
export class NodesQuery {
  private readonly queries = new Set<Query>();
  private readonly owners = new Map<number, { query: Query; nodeId: string }>();
  private lastId = READ_ID_LIMIT;

  constructor(
    private readonly membership: Membership,
    private readonly outbox: Outbox,
    private readonly now: () => number,
    private readonly timeoutMs: number,
    private readonly judge: ContentJudge,
  ) {}

  static owns(replyId: number): boolean {
    return replyId >= READ_ID_LIMIT && replyId < EVICTION_IDS.first;
  }

  start(target: ReplyTarget): void {
    const query: Query = {
      target,
      waiting: new Set(),
      deadline: this.now() + this.timeoutMs,
      acknowledged: this.judge.acknowledgedSeq(),
      answered: new Set(),
    };
    for (const node of this.membership.all()) {
      const id = this.nextId();
      query.waiting.add(id);
      this.owners.set(id, { query, nodeId: node.id });
      this.outbox.op(node.peer, node.peerKey, { op: 'stats', id });
    }
    this.queries.add(query);
    if (query.waiting.size === 0) this.finish(query);
  }

  onReply(node: NodeRecord, reply: Reply): void {
    const owner = this.owners.get(reply.id);
    if (!owner || owner.nodeId !== node.id) return;
    this.owners.delete(reply.id);
    owner.query.waiting.delete(reply.id);
    const stats = reply.ok ? jsonOf(reply.value) : undefined;
    if (stats !== null && typeof stats === 'object') {
      applyStats(node, stats as NodeStats);
      owner.query.answered.add(node.id);
    }
    if (owner.query.waiting.size === 0) this.finish(owner.query);
  }

  sweep(): void {
    const now = this.now();
    for (const query of [...this.queries]) if (query.deadline <= now) this.finish(query);
  }

  private finish(query: Query): void {
    if (!this.queries.delete(query)) return;
    for (const id of query.waiting) this.owners.delete(id);
    query.waiting.clear();
    const nodes = [...this.membership.all()]
      .map((node) =>
        toNodeInfo(node, this.judge.standingOf(node), this.judge.errorOf(node, query.acknowledged, query.answered.has(node.id))),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const reply: Reply = { id: query.target.opId, ok: true, value: { json: nodes } };
    this.outbox.reply(query.target.peer, query.target.peerKey, reply);
  }

  private nextId(): number {
    this.lastId = this.lastId >= EVICTION_IDS.first - 1 ? READ_ID_LIMIT : this.lastId + 1;
    return this.lastId;
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
