import type { ErrorCode, WaitMode, Write } from '@brainer/protocol';
import type { AckTracker, PendingWrite } from './ack-tracker.js';
import { fail, replyTo, writeReply } from './answers.js';
import type { BrokerMetrics } from './broker-metrics.js';
import { DedupTable } from './dedup-table.js';
import type { Eviction } from './eviction.js';
import type { Expiry } from './expiry.js';
import type { Membership } from './membership.js';
import type { Outbox } from './outbox.js';
import type { ReplicationLog } from './replication-log.js';
import type { ReplyTarget } from './reply-target.js';

/** What the write pipeline works with. */
export interface WritePipelineParts {
  readonly membership: Membership;
  readonly log: ReplicationLog;
  readonly acks: AckTracker;
  readonly dedup: DedupTable;
  readonly expiry: Expiry;
  readonly eviction: Eviction | undefined;
  readonly metrics: BrokerMetrics | undefined;
  readonly outbox: Outbox;
  readonly now: () => number;
}

/**
 * A write's way through the broker: a primary to wait for → dedup of a retry → admission under
 * `maxmemory` → TTL tracking → the log → ack tracking; and back out to the client, and to the
 * retries that waited, once its acknowledgements are in or it failed.
 */
export class WritePipeline {
  /** Retries answered from the dedup table, since the start. */
  dedupHits = 0;

  constructor(private readonly parts: WritePipelineParts) {}

  /**
   * Sequences a write: a client's (with its target and origin), or the broker's own delete of an
   * expired or evicted key. `freedBytes` is what an eviction's delete frees, for the memory estimate.
   */
  submit(target: ReplyTarget | undefined, write: Write, wait: WaitMode, freedBytes = 0): void {
    const { membership, dedup, eviction, expiry, log, acks, outbox, now } = this.parts;
    const primaryId = write.kind === 'flush' ? membership.ready[0]?.id : membership.ring.primary(write.key);
    // Retryable: nodes that are joining, re-registering or just dropped are soon ready again.
    if (primaryId === undefined) return replyTo(outbox, target, fail(0, 'ERR_NOT_READY', 'no ready node to apply the write'));
    const dedupKey = write.origin ? DedupTable.key(write.origin.client, write.origin.opId) : undefined;
    if (dedupKey !== undefined) {
      const seen = dedup.get(dedupKey);
      if (seen) this.dedupHits++;
      if (seen?.done) return replyTo(outbox, target, writeReply(seen.kind, seen.removed));
      if (seen) return void seen.waiters.push(target!);
    }
    const refused = target && write.kind === 'set' ? eviction?.admit(write) : undefined;
    if (refused) return replyTo(outbox, target, fail(0, refused.code, refused.message));
    if (dedupKey !== undefined) dedup.pending(dedupKey, write.kind);
    expiry.onSequenced(write);
    const seq = log.append(write);
    eviction?.onSequenced(seq, write, freedBytes);
    const expiresKey = write.kind === 'expire' ? { key: write.key, at: write.expiresAt } : undefined;
    acks.add({ seq, kind: write.kind, target, mode: wait, primaryId, removed: false, dedupKey, expiry: expiresKey, sequencedAt: now() });
    outbox.schedule();
  }

  completed(write: PendingWrite): void {
    const { expiry, log, metrics, dedup, outbox } = this.parts;
    expiry.onCompleted(write);
    log.acknowledge(write.seq, write.mode);
    metrics?.writeDone(write, 'ok');
    replyTo(outbox, write.target, writeReply(write.kind, write.removed));
    if (write.dedupKey === undefined) return;
    for (const waiter of dedup.complete(write.dedupKey, write.removed)) replyTo(outbox, waiter, writeReply(write.kind, write.removed));
  }

  failed(write: PendingWrite, code: ErrorCode, message: string): void {
    const { expiry, metrics, dedup, outbox } = this.parts;
    expiry.onFailed(write);
    metrics?.writeDone(write, 'error');
    replyTo(outbox, write.target, fail(0, code, message));
    if (write.dedupKey === undefined) return;
    for (const waiter of dedup.forget(write.dedupKey)) replyTo(outbox, waiter, fail(0, code, message));
  }
}
