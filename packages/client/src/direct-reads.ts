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
const FINAL_CODES: ReadonlySet<string> = new Set(['ERR_BAD_KEY', 'ERR_KEY_TOO_LARGE', 'ERR_BAD_REQUEST', 'ERR_CLOSED']);

export interface DirectReadsOptions {
  timeoutMs: number;
  now: () => number;
  logger: Logger;
  curve: CurveClientOptions | undefined;
}

/**
 * Reads straight from the nodes, using the membership the broker pushes: a key's read goes to its
 * primary, and on to the next node in the key's preference list when a node refuses (no lease, not
 * ready) or does not answer in time. A node serves a read only while its lease lasts, so whatever
 * node answers holds every write acknowledged with `wait=all`.
 */
export class DirectReads {
  private partitioner: Partitioner = createPartitioner(DEFAULT_PARTITIONER, []);
  /** The last partitioner name this client could not use, so that it is logged once. */
  private unknownPartitioner: string | undefined;
  private readonly channels = new Map<string, NodeChannel>();

  constructor(private readonly options: DirectReadsOptions) {}

  /** Whether there is a ready node to read from. */
  get available(): boolean {
    return this.channels.size > 0;
  }

  /** Takes the ready nodes from a membership push: opens channels to new nodes, closes the rest. */
  update(membership: MessageOf<'membership'>): void {
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
  }

  /** The value from the first node that serves it, or undefined when none would. */
  async get(key: string): Promise<ReplyValue | undefined> {
    // The primary answers almost every read: the whole preference list is worked out only when it does not.
    const primary = this.partitioner.primary(key);
    if (primary === undefined) return undefined;
    const answer = await this.tryNode(primary, key);
    if (answer !== undefined) return answer;
    for (const id of this.partitioner.preference(key)) {
      if (id === primary) continue;
      const next = await this.tryNode(id, key);
      if (next !== undefined) return next;
    }
    return undefined;
  }

  /** The node's answer, or undefined when it refused or did not answer in time. */
  private async tryNode(id: string, key: string): Promise<ReplyValue | undefined> {
    const channel = this.channels.get(id);
    if (!channel) return undefined;
    try {
      return await channel.call({ op: 'get', key });
    } catch (error) {
      if (error instanceof BrainerError && FINAL_CODES.has(error.code)) throw error;
      this.options.logger.debug('direct read moved on to the next node', { node: id, error: String(error) });
      return undefined;
    }
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close(new BrainerError('ERR_CLOSED', 'the client was closed'));
    this.channels.clear();
  }
}
