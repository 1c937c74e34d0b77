import { randomInt } from 'node:crypto';
import {
  BrainerError,
  createPartitioner,
  DEFAULT_PARTITIONER,
  isPartitionerName,
  type Logger,
  type MessageOf,
  type Partitioner,
  type ReplyValue,
} from '@brainer/protocol';
import type { CurveClientOptions } from './curve-options.js';
import { NodeChannel } from './node-channel.js';

/** Answers about the request itself: every node would give the same, so there is no point moving on. */
const FINAL_CODES: ReadonlySet<string> = new Set([
  'ERR_BAD_KEY',
  'ERR_KEY_TOO_LARGE',
  'ERR_BAD_REQUEST',
  'ERR_REPLY_TOO_LARGE',
  'ERR_CLOSED',
]);

/** The reads a node serves straight to a client: a key's value or time left, or every item of a bucket. */
export type DirectReadOp = { op: 'get'; key: string } | { op: 'ttl'; key: string } | { op: 'bucket'; bucket: string };

export interface DirectReadsOptions {
  /** How long a node may take over a `get` before the read moves on. */
  timeoutMs: number;
  /**
   * How long a `bucket` read may take over all the nodes it tries: longer than a `get`, since a node
   * scans its store for it and its answer may be large, and moving on would only start the same scan
   * on the next node.
   */
  bucketTimeoutMs: number;
  /** `primary`: a read goes to its key's primary first; `any-node`: to this client's own node. */
  readFrom: 'primary' | 'any-node';
  now: () => number;
  logger: Logger;
  curve: CurveClientOptions | undefined;
}

/**
 * Reads straight from the nodes, using the membership the broker pushes: a key's read goes to its
 * primary (or, with `readFrom: 'any-node'`, to the one node this client reads from), and on to the
 * next node in the key's preference list when a node refuses (no lease, not ready) or does not
 * answer in time. A node serves a read only while its lease lasts, so whatever node answers holds
 * every write acknowledged with `wait=all`.
 */
export class DirectReads {
  private partitioner: Partitioner = createPartitioner(DEFAULT_PARTITIONER, []);
  /** The last partitioner name this client could not use, so that it is logged once. */
  private unknownPartitioner: string | undefined;
  private readonly channels = new Map<string, NodeChannel>();
  /** The placement and nodes of the last membership taken, to skip pushes that change nothing. */
  private lastMembership = '';
  /** With `any-node`: the node this client reads from while it is in the ring. */
  private ownNode: string | undefined;
  /** Picks this client's own node: clients spread over the nodes. */
  private readonly spread = randomInt(0, 2 ** 31);

  constructor(private readonly options: DirectReadsOptions) {}

  /** Whether there is a ready node to read from. */
  get available(): boolean {
    return this.channels.size > 0;
  }

  /** Takes the ready nodes from a membership push: opens channels to new nodes, closes the rest. */
  update(membership: MessageOf<'membership'>): void {
    // Every watch renewal brings the membership again; rebuilding the ring for it costs hundreds of hashes.
    const signature = JSON.stringify([membership.partitioner, membership.nodes.map((node) => [node.id, node.endpoint])]);
    if (signature === this.lastMembership) return;
    const name = membership.partitioner;
    // Placing keys some other way would send reads to nodes that are not their primary: with no
    // node to read from, every read goes through the broker instead.
    const known = isPartitionerName(name);
    if (!known && this.unknownPartitioner !== name) {
      this.options.logger.warn('the broker places keys in a way this client does not know; reads go through the broker', {
        partitioner: name,
      });
    }
    this.unknownPartitioner = known ? undefined : name;
    const endpoints = new Map(known ? membership.nodes.map((node) => [node.id, node.endpoint]) : []);
    for (const [id, channel] of this.channels) {
      if (endpoints.get(id) !== channel.endpoint) {
        this.channels.delete(id);
        channel.close(new BrainerError('ERR_NOT_READY', `node ${id} left the ring`));
      }
    }
    for (const [id, endpoint] of endpoints) {
      if (!this.channels.has(id)) {
        const { timeoutMs, now, logger, curve } = this.options;
        this.channels.set(id, new NodeChannel(endpoint, timeoutMs, now, logger, curve));
      }
    }
    this.partitioner = createPartitioner(known ? name : DEFAULT_PARTITIONER, endpoints.keys());
    if (this.ownNode === undefined || !this.channels.has(this.ownNode)) {
      const ids = [...this.channels.keys()].sort();
      this.ownNode = ids.length === 0 ? undefined : ids[this.spread % ids.length];
    }
    // Remembered only once the rebuild is done, so that a push that failed halfway is taken again.
    this.lastMembership = signature;
  }

  /**
   * The answer of the first node that serves `read`, starting with the primary of `placement` (the
   * key, or a bucket's `{name}` prefix), or this client's own node with `any-node`, and going on down
   * the preference list of `placement`; undefined when none would.
   */
  read(read: DirectReadOp, placement: string): Promise<ReplyValue | undefined> {
    const deadline = read.op === 'bucket' ? this.options.now() + this.options.bucketTimeoutMs : undefined;
    // The first node (the primary, or this client's own) answers almost every read, so its answer is
    // passed on as it is, with no await in between: the whole preference list is worked out only
    // when it does not answer.
    const first = this.options.readFrom === 'any-node' ? this.ownNode : this.partitioner.primary(placement);
    const channel = first === undefined ? undefined : this.channels.get(first);
    if (channel === undefined) return this.fromOthers(read, placement, first, deadline);
    return channel.call(read, this.timeLeft(deadline)).catch((error: unknown) => {
      this.movedOn(first!, error);
      // A node of its own that failed (slow, no lease, gone) is left for the next: reads must not all wait on it.
      if (first === this.ownNode) this.ownNode = this.nodeAfter(first!);
      return this.fromOthers(read, placement, first, deadline);
    });
  }

  /** The node after `id` among those with a channel, in id order. */
  private nodeAfter(id: string): string | undefined {
    const ids = [...this.channels.keys()].sort();
    return ids[(ids.indexOf(id) + 1) % ids.length];
  }

  /** The answer of the first node after `skipped` in the preference list of `placement` that serves `read`. */
  private async fromOthers(
    read: DirectReadOp,
    placement: string,
    skipped: string | undefined,
    deadline: number | undefined,
  ): Promise<ReplyValue | undefined> {
    for (const id of this.partitioner.preference(placement)) {
      const channel = id === skipped ? undefined : this.channels.get(id);
      if (channel === undefined) continue;
      const timeoutMs = this.timeLeft(deadline);
      if (timeoutMs <= 0) return undefined;
      try {
        // A call takes its op object over (it sets the id): each node after the primary gets a copy.
        return await channel.call({ ...read }, timeoutMs);
      } catch (error) {
        this.movedOn(id, error);
      }
    }
    return undefined;
  }

  /**
   * How long the next node may take: a `get` has the direct-read timeout at each node it tries; a
   * `bucket` has one budget, up to `deadline`, for all of them.
   */
  private timeLeft(deadline: number | undefined): number {
    return deadline === undefined ? this.options.timeoutMs : Math.floor(deadline - this.options.now());
  }

  /** Rethrows an answer about the request itself; any other failure moves the read on. */
  private movedOn(id: string, error: unknown): void {
    if (error instanceof BrainerError && FINAL_CODES.has(error.code)) throw error;
    this.options.logger.debug('direct read moved on to the next node', { node: id, error: String(error) });
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close(new BrainerError('ERR_CLOSED', 'the client was closed'));
    this.channels.clear();
  }
}
