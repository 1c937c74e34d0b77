import { bucketPrefix, notLeaderMessage, validateOp, type Op } from '@brainer/protocol';
import { fail, replyTo } from './answers.js';
import type { BrokerContext } from './broker-context.js';
import type { Expiry } from './expiry.js';
import type { Joins } from './joins.js';
import type { MembershipPush } from './membership-push.js';
import type { NodesQuery } from './nodes-query.js';
import type { PeerId } from './ports.js';
import type { ReadCandidates, ReadRouter } from './read-router.js';
import type { ReplyTarget } from './reply-target.js';
import type { StartupFetch } from './startup-fetch.js';
import type { WritePipeline } from './write-pipeline.js';

/** The parts a client's ops go to. */
export interface ClientRequestParts {
  readonly writes: WritePipeline;
  readonly reads: ReadRouter;
  readonly nodesQuery: NodesQuery;
  readonly push: MembershipPush;
  readonly expiry: Expiry;
  readonly startupFetch: StartupFetch;
  readonly joins: Joins;
  /** The broker's summary, for `stats`. */
  readonly stats: () => Record<string, unknown>;
}

/** A client's request: each op is checked, then answered, routed to nodes, or sequenced as a write. */
export class ClientRequests {
  private keysCursor = 0;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly parts: ClientRequestParts,
  ) {}

  onRequest(peer: PeerId, ops: Op[]): void {
    const { limits } = this.ctx.options;
    if (ops.length > limits.maxBatchOps) {
      const message = `a request may hold at most ${limits.maxBatchOps} ops`;
      for (const op of ops) this.ctx.outbox.reply(peer, fail(op.id, 'ERR_BATCH_TOO_LARGE', message));
      return;
    }
    for (const op of ops) {
      const target: ReplyTarget = { peer, opId: op.id };
      const invalid = validateOp(op, limits);
      if (invalid) replyTo(this.ctx.outbox, target, invalid);
      else this.onOp(target, op);
    }
  }

  private onOp(target: ReplyTarget, op: Op): void {
    const { lifecycle, membership, outbox } = this.ctx;
    const { writes, reads, nodesQuery, push, expiry, startupFetch, joins } = this.parts;
    if (!lifecycle.leading && op.op !== 'ping' && op.op !== 'stats') {
      // Retryable: the client goes to the leader named, or to the next broker it was given.
      return replyTo(outbox, target, fail(op.id, 'ERR_NOT_LEADER', notLeaderMessage(this.ctx.ports.leader())));
    }
    const isWrite = op.op === 'set' || op.op === 'del' || op.op === 'expire' || op.op === 'flushall';
    const isRead = op.op === 'get' || op.op === 'ttl' || op.op === 'keys' || op.op === 'scan' || op.op === 'bucket';
    if ((!lifecycle.serving && (isWrite || isRead)) || (startupFetch.active && isWrite)) {
      // Retryable: the nodes are re-registering with a new broker, and serve again within a second.
      return replyTo(outbox, target, fail(op.id, 'ERR_NOT_READY', "the broker is starting and still learning the nodes' state"));
    }
    if ((isWrite || isRead) && membership.ready.length === 0 && membership.size > 0) {
      // Nodes are registered, but none whose data is whole: wait for one rather than forget.
      joins.holdAlarm();
      return replyTo(outbox, target, fail(op.id, 'ERR_NOT_READY', 'no node whose data is whole is ready; the cluster waits for one'));
    }
    switch (op.op) {
      case 'ping':
        return replyTo(outbox, target, { id: op.id, ok: true, value: undefined });
      case 'stats':
        return replyTo(outbox, target, { id: op.id, ok: true, value: { json: this.parts.stats() } });
      case 'nodes':
        return nodesQuery.start(target);
      case 'get':
      case 'ttl':
        return reads.route(target, op, this.keyCandidates(op.key));
      case 'bucket':
        return reads.route(target, op, this.keyCandidates(bucketPrefix(op.bucket)));
      case 'keys':
      case 'scan': {
        // Every ready node holds every key, and orders a scan alike: spread listings over them.
        const ready = membership.ready.map((node) => node.id);
        const start = this.keysCursor++ % Math.max(1, ready.length);
        const order = [...ready.slice(start), ...ready.slice(0, start)];
        return reads.route(target, op, { first: order[0], all: () => order });
      }
      case 'watch':
        push.watch(target.peer);
        return replyTo(outbox, target, { id: op.id, ok: true, value: undefined });
      case 'recent':
      case 'expiries':
      case 'evict-sample':
        return replyTo(outbox, target, fail(op.id, 'ERR_WRONG_ROLE', `${op.op} is an op a broker sends to nodes`));
      case 'set': {
        // On the broker's own monotonic clock: nodes read it only against the writes' sentAt.
        const expiresAt = op.ttlMs > 0 ? this.ctx.now() + op.ttlMs : 0;
        return writes.submit(target, { kind: 'set', key: op.key, value: op.value, expiresAt, origin: originOf(target) }, op.wait);
      }
      case 'del':
        return writes.submit(target, { kind: 'del', key: op.key, origin: originOf(target) }, op.wait);
      case 'expire': {
        const origin = originOf(target);
        // A TTL that is already over removes the key (Redis's EXPIRE does the same): del answers 1 or 0 alike.
        if (op.ttlMs <= 0) return writes.submit(target, { kind: 'del', key: op.key, origin }, op.wait);
        // The broker decides expiry, whatever each node's clock says.
        expiry.beforeExpire(op.key);
        return writes.submit(target, { kind: 'expire', key: op.key, expiresAt: this.ctx.now() + op.ttlMs, origin }, op.wait);
      }
      case 'flushall':
        // No key, so no primary: a flush waits for every ready node.
        return writes.submit(target, { kind: 'flush', origin: originOf(target) }, 'all');
    }
  }

  /** A key's primary, then the rest of its preference list, worked out only if the primary does not serve. */
  private keyCandidates(key: string): ReadCandidates {
    const { membership } = this.ctx;
    // The ring of the moment of each step: a fallover that comes later follows membership changes.
    return { first: membership.ring.primary(key), all: () => membership.ring.preference(key) };
  }
}

/** A client write's origin, by which a retry is known: the client's connection and the op's id. */
function originOf(target: ReplyTarget): { client: string; opId: number } {
  return { client: target.peer, opId: target.opId };
}
