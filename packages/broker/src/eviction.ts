import {
  entryBytes,
  jsonOf,
  parseEvictSample,
  type ErrorCode,
  type EvictionSample,
  type Logger,
  type MaxmemoryPolicy,
  type Reply,
  type Write,
} from '@brainer/protocol';
import type { BrokerEvent } from './events.js';
import { evicts, mayEvict, pickVictims } from './eviction-policy.js';
import type { Membership } from './membership.js';
import { MemoryEstimate } from './memory-estimate.js';
import type { NodeRecord } from './node-record.js';
import type { NodeRequests, RequestOwner, Unanswered } from './node-requests.js';

/** At most this many keys are evicted per round, so a round never holds the broker up for long. */
export const MAX_EVICTIONS_PER_ROUND = 1000;
/** Bounds on the entries asked of each node in a sampling round. */
const MIN_SAMPLE_PER_NODE = 16;
const MAX_SAMPLE_PER_NODE = 5000;
/** The entry size assumed before any node has said how large its entries are. */
const DEFAULT_ENTRY_BYTES = 256;
/** While writes flow, the nodes' usage is asked for at most this often; while none do, this rarely. */
const BUSY_REPORT_MS = 50;
const IDLE_REPORT_MS = 1000;
const LOG_EVERY_MS = 1000;
/**
 * Eviction starts when the estimate passes `maxmemory` less a headroom, and frees half a headroom
 * more: writes land in that room while a round is on its way instead of waiting. The headroom is
 * 1% of the limit, at least 64 KiB (a burst of writes in flight), at most an eighth of the limit.
 */
function headroomOf(maxmemory: number): number {
  return Math.floor(Math.min(maxmemory / 8, Math.max(maxmemory / 100, 64 * 1024)));
}

export interface EvictionSettings {
  maxmemory: number;
  policy: MaxmemoryPolicy;
  /** Keys sampled per key evicted. */
  samples: number;
}

/** What eviction needs from the broker. */
export interface EvictionHost {
  readonly membership: Membership;
  readonly requests: NodeRequests;
  readonly now: () => number;
  readonly logger: Logger;
  /** Stamps the delete of an evicted key that frees `bytes`, which reaches every node like any write. */
  evict(key: string, bytes: number): void;
  emit(event: BrokerEvent): void;
}

interface Round {
  readonly waiting: Set<string>;
  readonly sampling: boolean;
  readonly candidates: Map<string, EvictionSample>;
  /** Keys written since the round began: a sample may predate the write, so they are not evicted. */
  readonly touched: Set<string>;
}

/**
 * Bounded memory (`maxmemory`), decided in this one place. The nodes report their used memory as of
 * a seq (`evict-sample`); the broker adds its estimate of every write stamped since, and takes the
 * highest over the ready nodes. A write that would take it past the limit is refused: with
 * ERR_OOM under `noeviction`, or when nothing can be evicted; with ERR_BACKPRESSURE, which clients
 * retry, while eviction makes room. Past the eviction threshold, a round asks every ready node for
 * random entries with their access figures, keeps those each node is the primary of (the primary
 * serves a key's reads, so its figures are the ones that count), and deletes the best candidates
 * through the write stream, so every node drops the same keys. A round waits for the answers as
 * long as any request to a node does (`NodeRequests`).
 */
export class Eviction implements RequestOwner<Round> {
  private readonly estimate = new MemoryEstimate();
  private readonly trigger: number;
  private readonly goal: number;
  private round: Round | undefined;
  private lastRoundAt = -Infinity;
  private lastRoundSeq = -1;
  /** Nodes that answered ERR_UNKNOWN_OP: their usage is unknown. */
  private readonly unsupported = new Set<string>();
  /** The last sampling round found no candidate: nothing can be evicted now. */
  private exhausted = false;
  /** The average entry size in the last report, to size a sample. */
  private averageEntryBytes = DEFAULT_ENTRY_BYTES;
  private readonly counts = { evictedKeys: 0, evictedBytes: 0, oomRejections: 0, writesDeferred: 0 };
  private unlogged = { keys: 0, bytes: 0, at: -Infinity };

  constructor(
    private readonly settings: EvictionSettings,
    private readonly host: EvictionHost,
  ) {
    const headroom = headroomOf(settings.maxmemory);
    this.trigger = settings.maxmemory - headroom;
    this.goal = this.trigger - Math.floor(headroom / 2);
  }

  /** The refusal of a client's `set` that would pass the limit, or undefined to let it through. */
  admit(write: Extract<Write, { kind: 'set' }>): { code: ErrorCode; message: string } | undefined {
    const { maxmemory, policy } = this.settings;
    const bytes = entryBytes(Buffer.byteLength(write.key), write.value.length);
    if (bytes > maxmemory) {
      this.counts.oomRejections++;
      return { code: 'ERR_OOM', message: `the entry takes ${bytes} bytes, more than maxmemory (${maxmemory})` };
    }
    const used = this.usedMemory();
    if (used === undefined) {
      if (this.readyIds().length === 0) return undefined;
      return { code: 'ERR_NOT_READY', message: "the broker is waiting for the nodes' memory figures" };
    }
    if (used + bytes <= maxmemory) return undefined;
    if (!evicts(policy) || this.exhausted) {
      this.counts.oomRejections++;
      const why = evicts(policy) ? `nothing the ${policy} policy may evict is left` : 'the policy is noeviction';
      return { code: 'ERR_OOM', message: `used memory ${used} + ${bytes} would pass maxmemory ${maxmemory}, and ${why}` };
    }
    this.counts.writesDeferred++;
    if (!this.round) this.startRound();
    return { code: 'ERR_BACKPRESSURE', message: `used memory is at maxmemory (${maxmemory}); eviction is making room, retry` };
  }

  /** Every stamped write, with its estimated effect on the nodes' memory; `freedBytes` is what an eviction's delete frees. */
  onSequenced(seq: number, write: Write, freedBytes = 0): void {
    this.estimate.record(seq, this.bytesAdded(write, freedBytes));
    if (write.kind === 'flush') this.round?.touched.clear();
    else if (this.round) this.round.touched.add(write.key);
    else if (evicts(this.settings.policy) && !this.exhausted && (this.usedMemory() ?? 0) > this.trigger) this.startRound();
  }

  /** The estimated effect of a write on the nodes' used memory, in bytes. */
  private bytesAdded(write: Write, freedBytes: number): number {
    switch (write.kind) {
      case 'set':
        return entryBytes(Buffer.byteLength(write.key), write.value.length);
      case 'del':
        return -freedBytes;
      case 'expire':
        return 0;
      case 'flush':
        return -(this.usedMemory() ?? 0);
    }
  }

  answered(node: NodeRecord, reply: Reply, round: Round): void {
    if (round !== this.round || !round.waiting.delete(node.id)) return;
    if (!reply.ok) {
      if (reply.code === 'ERR_UNKNOWN_OP' && !this.unsupported.has(node.id)) {
        this.unsupported.add(node.id);
        this.host.logger.warn('a node does not report its memory; maxmemory leaves it out', { node: node.id, message: reply.message });
      }
    } else {
      const answer = parseEvictSample(jsonOf(reply.value));
      if (answer) {
        this.estimate.report(node.id, answer.usedMemory, answer.seq);
        if (answer.keys > 0) this.averageEntryBytes = Math.max(1, Math.round(answer.usedMemory / answer.keys));
        const ring = this.host.membership.ring;
        for (const sample of answer.samples) {
          if (round.touched.has(sample.key) || !mayEvict(this.settings.policy, sample) || ring.primary(sample.key) !== node.id) continue;
          round.candidates.set(sample.key, sample);
        }
      } else this.host.logger.warn('a malformed evict-sample answer', { node: node.id });
    }
    if (round.waiting.size === 0) this.finish(round);
  }

  /** A round ends when its time is up, or without the figures of a node that left. */
  unanswered(nodeId: string, why: Unanswered, round: Round): void {
    if (why === 'timeout') return this.finish(round);
    if (round.waiting.delete(nodeId) && round.waiting.size === 0) this.finish(round);
  }

  onNodeRemoved(node: NodeRecord): void {
    this.estimate.forget(node.id);
    this.unsupported.delete(node.id);
  }

  /** Runs every sweep: keeps the usage figures fresh. */
  sweep(): void {
    const now = this.host.now();
    if (this.round) return;
    const used = this.usedMemory();
    const over = evicts(this.settings.policy) && used !== undefined && used > this.trigger;
    const writesSince = this.estimate.lastSeq !== this.lastRoundSeq;
    const due = now - this.lastRoundAt >= (writesSince ? BUSY_REPORT_MS : IDLE_REPORT_MS);
    if (over || due || used === undefined) this.startRound();
  }

  stats(): Record<string, unknown> {
    const nodeMemory: Record<string, number | null> = {};
    for (const node of this.host.membership.all()) nodeMemory[node.id] = this.estimate.reported(node.id)?.usedMemory ?? null;
    return {
      maxmemory: this.settings.maxmemory,
      maxmemoryPolicy: this.settings.policy,
      usedMemory: this.usedMemory() ?? null,
      nodeMemory,
      ...this.counts,
    };
  }

  /** The highest used memory among the ready nodes now; undefined until one of them has reported. */
  private usedMemory(): number | undefined {
    return this.estimate.highest(this.readyIds());
  }

  private readyIds(): string[] {
    return this.host.membership.ready.filter((node) => !this.unsupported.has(node.id)).map((node) => node.id);
  }

  private startRound(): void {
    const nodes = this.host.membership.ready.filter((node) => !this.unsupported.has(node.id));
    if (nodes.length === 0) return;
    const used = this.usedMemory();
    const count = evicts(this.settings.policy) && used !== undefined && used > this.trigger ? this.sampleSize(used) : 0;
    const round: Round = (this.round = {
      waiting: new Set(nodes.map((node) => node.id)),
      sampling: count > 0,
      candidates: new Map(),
      touched: new Set(),
    });
    this.lastRoundAt = this.host.now();
    this.lastRoundSeq = this.estimate.lastSeq;
    const volatile = this.settings.policy === 'volatile-lru';
    for (const node of nodes) this.host.requests.ask(node, { op: 'evict-sample', count, volatile }, this, round);
  }

  /**
   * Entries to ask each node for: `samples` for each key to evict. Each node keeps only the keys it
   * is the primary of, about one in as many as there are nodes, so the round gets about `count`
   * candidates in all.
   */
  private sampleSize(used: number): number {
    const keys = Math.ceil((used - this.goal) / this.averageEntryBytes);
    const wanted = Math.min(MAX_EVICTIONS_PER_ROUND, Math.max(1, keys)) * this.settings.samples;
    return Math.min(MAX_SAMPLE_PER_NODE, Math.max(MIN_SAMPLE_PER_NODE, wanted));
  }

  private finish(round: Round): void {
    if (this.round !== round) return;
    const used = this.usedMemory();
    // The round stays current while its victims are stamped, so their deletes start no other round.
    if (used !== undefined && used > this.trigger && round.sampling) this.evictFrom([...round.candidates.values()], used);
    this.round = undefined;
    if (used === undefined || used <= this.trigger) this.exhausted = false;
    else if (!this.exhausted && evicts(this.settings.policy) && (this.usedMemory() ?? 0) > this.trigger) this.startRound();
  }

  private evictFrom(candidates: EvictionSample[], used: number): void {
    this.exhausted = candidates.length === 0;
    if (this.exhausted) {
      this.host.logger.warn('over the eviction threshold with nothing to evict', { usedMemory: used, policy: this.settings.policy });
      return;
    }
    // The best one of every `samples` candidates, as Redis evicts the best of each sample.
    const maxKeys = Math.min(MAX_EVICTIONS_PER_ROUND, Math.max(1, Math.floor(candidates.length / this.settings.samples)));
    const victims = pickVictims(candidates, this.settings.policy, used - this.goal, maxKeys);
    let bytes = 0;
    for (const victim of victims) {
      this.host.evict(victim.key, victim.bytes);
      bytes += victim.bytes;
    }
    this.counts.evictedKeys += victims.length;
    this.counts.evictedBytes += bytes;
    this.host.emit({ type: 'memory:evicted', keys: victims.length, bytes, usedMemory: used });
    this.logEvictions(victims.length, bytes);
  }

  /** An info line at most once a second, summing the rounds in between. */
  private logEvictions(keys: number, bytes: number): void {
    const now = this.host.now();
    this.unlogged.keys += keys;
    this.unlogged.bytes += bytes;
    if (now - this.unlogged.at < LOG_EVERY_MS) return;
    this.host.logger.info('evicted keys', {
      keys: this.unlogged.keys,
      bytes: this.unlogged.bytes,
      policy: this.settings.policy,
      usedMemory: this.usedMemory(),
      maxmemory: this.settings.maxmemory,
      evictedKeys: this.counts.evictedKeys,
    });
    this.unlogged = { keys: 0, bytes: 0, at: now };
  }
}
