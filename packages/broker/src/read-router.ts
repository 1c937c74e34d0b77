import type { ErrorCode, Op, Reply } from '@brainer/protocol';
import type { Membership } from './membership.js';
import type { NodeRecord } from './node-record.js';
import type { NodeRequests, RequestOwner, Unanswered } from './node-requests.js';
import type { Outbox } from './outbox.js';
import type { ReplyTarget } from './reply-target.js';

type ForwardedOp = Extract<Op, { op: 'get' } | { op: 'ttl' } | { op: 'keys' } | { op: 'scan' } | { op: 'bucket' }>;

/**
 * The nodes a read may go to, best first: `first` (for a key, its primary), and the rest in order
 * once `first` does not serve it. The rest is worked out only then: for a key that is the whole
 * preference list, which costs far more than the primary alone on a large ring.
 */
export interface ReadCandidates {
  readonly first: string | undefined;
  all(): readonly string[];
}

interface PendingRead {
  readonly target: ReplyTarget;
  readonly op: ForwardedOp;
  readonly candidates: ReadCandidates;
  /** The candidates after `first`, once needed. */
  rest: readonly string[] | undefined;
  /** How many candidates have been tried: `first` is number 0. */
  next: number;
  /** The last retryable refusal, answered if no node is left to try. */
  lastRefusal: Reply | undefined;
}

/** Codes after which the next node is tried instead of passing the error to the client. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['ERR_NOT_READY', 'ERR_NO_LEASE', 'ERR_INTERNAL', 'ERR_BACKPRESSURE']);

/**
 * Sends each read to the first ready node of its candidates (for `get`, the key's primary and
 * then the ring order) and falls over to the next on a timeout, a retryable error, or the node
 * leaving (invariant 3). Only ready nodes are ever asked.
 */
export class ReadRouter implements RequestOwner<PendingRead> {
  /** Reads taken from clients since the start. */
  routed = 0;
  /** Reads not yet answered. */
  private inFlight = 0;

  constructor(
    private readonly membership: Membership,
    private readonly requests: NodeRequests,
    private readonly outbox: Outbox,
  ) {}

  get size(): number {
    return this.inFlight;
  }

  route(target: ReplyTarget, op: ForwardedOp, candidates: ReadCandidates): void {
    this.routed++;
    this.inFlight++;
    this.tryNext({ target, op, candidates, rest: undefined, next: 0, lastRefusal: undefined });
  }

  answered(_node: NodeRecord, reply: Reply, read: PendingRead): void {
    if (!reply.ok && RETRYABLE.has(reply.code)) {
      read.lastRefusal = reply;
      this.tryNext(read);
      return;
    }
    // The node's reply was decoded for this read alone: it goes on under the client's id.
    reply.id = read.target.opId;
    this.answer(read.target, reply);
  }

  /** The node timed out or left: the read moves on to its next candidate. */
  unanswered(_nodeId: string, _why: Unanswered, read: PendingRead): void {
    this.tryNext(read);
  }

  private tryNext(read: PendingRead): void {
    for (let nodeId = this.nextCandidate(read); nodeId !== undefined; nodeId = this.nextCandidate(read)) {
      const node = this.membership.byNodeId(nodeId);
      if (!node || node.state !== 'ready') continue;
      this.requests.ask(node, read.op, this, read);
      return;
    }
    if (read.lastRefusal) {
      this.answer(read.target, { ...read.lastRefusal, id: read.target.opId });
      return;
    }
    const code: ErrorCode = read.next === 0 ? 'ERR_NO_NODES' : 'ERR_TIMEOUT';
    const message = read.next === 0 ? 'no ready node holds the data' : `no ready node answered within ${this.requests.timeoutMs} ms`;
    this.answer(read.target, { id: read.target.opId, ok: false, code, message });
  }

  /** The next candidate not yet tried, if any; counts it as tried. */
  private nextCandidate(read: PendingRead): string | undefined {
    const { first } = read.candidates;
    if (read.next === 0 && first !== undefined) {
      read.next++;
      return first;
    }
    read.rest ??= read.candidates.all().filter((id) => id !== first);
    const index = read.next - (first === undefined ? 0 : 1);
    if (index >= read.rest.length) return undefined;
    read.next++;
    return read.rest[index];
  }

  private answer(target: ReplyTarget, reply: Reply): void {
    this.inFlight--;
    this.outbox.reply(target.peer, reply);
  }
}
