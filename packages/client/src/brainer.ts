import { BrainerError, decode, encode, requireEndpoint, type Logger, type ReplyValue, type WaitMode, jsonOf } from '@brainer/protocol';
import { ClientTransport } from './client-transport.js';
import { resolveBrainerOptions, type BrainerOptions } from './options.js';
import { PendingRequests, type OpInput } from './pending-requests.js';

export interface SetOptions {
  /** `all` (default): answered once every ready node applied the write. `primary`: once the key's primary did. */
  wait?: WaitMode;
  /** Time to live, in ms. The broker deletes the key on every node when it passes. Default: none. */
  ttlMs?: number;
}

export interface DelOptions {
  wait?: WaitMode;
}

/** One node as `nodes()` reports it. */
export interface NodeInfo {
  id: string;
  endpoint: string;
  state: 'joining' | 'ready';
  keys: number;
  seq: number;
  digest: string;
  /** How the node last caught up: `full` (a snapshot from a peer), `partial` (the broker's backlog), `none` (ready with its own data). */
  sync?: 'full' | 'partial' | 'none';
  progress?: { received: number; total: number; percent: number };
}

/** What `verify()` found. */
export interface VerifyResult {
  /** True when there is at least one ready node and all ready nodes hold the same digest. */
  ok: boolean;
  /** The ready nodes as last reported. */
  nodes: NodeInfo[];
  /** The digest most ready nodes hold. */
  digest: string;
  /** The ready nodes whose digest differs from it. */
  differing: NodeInfo[];
}

/**
 * A Brainer client. Calls may run concurrently; the ones made in the same tick travel in one frame,
 * and each rejects with a BrainerError (code ERR_TIMEOUT and the like) if it is not answered in time.
 */
export class Brainer {
  private readonly options: BrainerOptions;
  private readonly logger: Logger;
  private transport: ClientTransport | undefined;
  private readonly requests: PendingRequests;
  private closed = false;

  constructor(
    readonly endpoint: string,
    options: Partial<BrainerOptions> = {},
  ) {
    requireEndpoint('endpoint', endpoint);
    this.options = resolveBrainerOptions(options);
    this.logger = this.options.logger;
    this.requests = new PendingRequests((ops) => this.transport?.send(encode({ type: 'request', ops })), this.options);
  }

  /** Opens the connection and checks that the broker answers. */
  async connect(): Promise<void> {
    this.open();
    await this.ping();
  }

  async ping(): Promise<void> {
    await this.call({ op: 'ping' });
  }

  async set(key: string, value: string | Buffer, options: SetOptions = {}): Promise<void> {
    const ttlMs = options.ttlMs ?? 0;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 0) throw new BrainerError('ERR_BAD_REQUEST', 'ttlMs must be a whole number of ms');
    await this.call({ op: 'set', key, value: typeof value === 'string' ? Buffer.from(value) : value, ttlMs, wait: options.wait ?? 'all' });
  }

  async get(key: string): Promise<string | null> {
    const value = await this.getBuffer(key);
    return value === null ? null : value.toString('utf8');
  }

  async getBuffer(key: string): Promise<Buffer | null> {
    const value = await this.call({ op: 'get', key });
    if (value === null || Buffer.isBuffer(value)) return value;
    throw unexpected('get', value);
  }

  /** Resolves true when the key existed. */
  async del(key: string, options: DelOptions = {}): Promise<boolean> {
    const value = await this.call({ op: 'del', key, wait: options.wait ?? 'all' });
    if (typeof value === 'number') return value > 0;
    throw unexpected('del', value);
  }

  /** Keys matching a Redis-style glob (`*`, `?`, `[abc]`). Default `*`. */
  async keys(pattern = '*'): Promise<string[]> {
    const value = await this.call({ op: 'keys', pattern });
    if (Array.isArray(value)) return value;
    throw unexpected('keys', value);
  }

  async nodes(): Promise<NodeInfo[]> {
    const value = await this.call({ op: 'nodes' });
    const nodes = jsonOf(value);
    if (Array.isArray(nodes)) return nodes as NodeInfo[];
    throw unexpected('nodes', value);
  }

  /**
   * Checks that every ready node holds the same content. Nodes that are mid-stream may differ for a
   * moment, so it asks again (up to `attempts` times) until they report the same seq, then compares
   * digests.
   */
  async verify(attempts = 20, intervalMs = 100): Promise<VerifyResult> {
    let ready: NodeInfo[] = [];
    for (let attempt = 1; attempt <= attempts; attempt++) {
      ready = (await this.nodes()).filter((node) => node.state === 'ready');
      if (ready.every((node) => node.seq === ready[0]!.seq)) break;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    const counts = new Map<string, number>();
    for (const node of ready) counts.set(node.digest, (counts.get(node.digest) ?? 0) + 1);
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const differing = ready.filter((node) => node.digest !== majority);
    return { ok: ready.length > 0 && differing.length === 0, nodes: ready, digest: majority ?? '', differing };
  }

  /** The broker's own figures: epoch, seq, nodes, pending work. */
  async stats(): Promise<Record<string, unknown>> {
    const value = await this.call({ op: 'stats' });
    const stats = jsonOf(value);
    if (stats !== null && typeof stats === 'object') return stats as Record<string, unknown>;
    throw unexpected('stats', value);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.requests.failAll(new BrainerError('ERR_CLOSED', 'the client was closed'));
    this.requests.close();
    this.transport?.close();
  }

  private call(op: OpInput): Promise<ReplyValue> {
    if (this.closed) return Promise.reject(new BrainerError('ERR_CLOSED', 'the client is closed'));
    this.open();
    return this.requests.call(op);
  }

  private open(): void {
    if (this.transport || this.closed) return;
    this.transport = new ClientTransport(
      this.endpoint,
      (frames) => this.onFrames(frames),
      (error) => this.logger.warn('send failed', { error: String(error) }),
      this.options.curve,
    );
  }

  private onFrames(frames: Buffer[]): void {
    try {
      if (frames.length !== 1) throw new BrainerError('ERR_MALFORMED', `expected 1 frame, got ${frames.length}`);
      const message = decode(frames[0]!);
      if (message.type === 'reply') for (const reply of message.replies) this.requests.onReply(reply);
      else if (message.type === 'error') this.logger.warn('error from the server', { code: message.code, message: message.message });
      else this.logger.warn('ignored an unexpected message', { type: message.type });
    } catch (error) {
      this.logger.warn('ignored a frame it could not decode', { error: String(error) });
    }
  }
}

function unexpected(op: string, value: ReplyValue): BrainerError {
  return new BrainerError('ERR_INTERNAL', `unexpected answer to ${op}: ${typeof value}`);
}
