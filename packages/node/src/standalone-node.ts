import { RateLimitedLog, batchTooLarge, encode, validateOp, type Logger, type Op, type Reply } from '@brainer/protocol';
import { decodeFrame } from './decode-frame.js';
import { NodeTransport } from './node-transport.js';
import { resolveCacheNodeOptions, type CacheNodeOptions } from './options.js';
import { RequestHandler } from './request-handler.js';
import { StandaloneWriter } from './standalone-writer.js';

/** How often expired keys are deleted, in ms (as often as the broker checks). */
const EXPIRY_CHECK_MS = 50;

/** The options of a standalone node: a cache node's, less the broker, the joins and CURVE. */
export type StandaloneNodeOptions = Pick<
  CacheNodeOptions,
  'nodeEndpoint' | 'id' | 'limits' | 'ipcSocketMode' | 'engine' | 'logger' | 'now'
>;

/**
 * A node that serves clients by itself, with no broker (HashProxy's standalone mode): it binds its
 * endpoint and answers every op there, `set` and `del` included, which it sequences itself. One
 * process, one copy of the data: nothing is replicated.
 */
export class StandaloneNode {
  private readonly options: CacheNodeOptions;
  private readonly logger: Logger;
  private readonly transport: NodeTransport;
  private readonly writer: StandaloneWriter;
  private readonly handler: RequestHandler;
  private readonly badInput: RateLimitedLog;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;
  private boundEndpoint: string;

  constructor(options: Partial<StandaloneNodeOptions> = {}) {
    this.options = resolveCacheNodeOptions(options);
    this.logger = this.options.logger;
    this.boundEndpoint = this.options.nodeEndpoint;
    const none = (): void => undefined;
    this.transport = new NodeTransport(this.options, {
      fromBroker: none,
      fromSource: none,
      fromPeer: (peer, frames) => this.fromPeer(peer, frames),
      sendFailed: (to, error) => this.logger.debug('send failed', { to, error: String(error) }),
      handlerFailed: (error) =>
        this.logger.error('a message handler failed; the node goes on', { error: String((error as Error)?.stack ?? error) }),
    });
    this.writer = new StandaloneWriter(this.options.engine);
    this.handler = new RequestHandler(this.writer.replica, () => this.stats(), this.options.maxReplyBytes);
    this.badInput = new RateLimitedLog(this.logger, this.options.now);
  }

  get id(): string {
    return this.options.id;
  }

  /** The bound endpoint: for `tcp://host:*`, the port actually chosen. */
  get endpoint(): string {
    return this.boundEndpoint;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.boundEndpoint = await this.transport.bind(this.options.nodeEndpoint);
    this.timer = setInterval(() => this.writer.expire(), EXPIRY_CHECK_MS);
    this.logger.info('standalone node started', { id: this.id, endpoint: this.boundEndpoint });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.transport.close();
  }

  stats(): Record<string, unknown> {
    const replica = this.writer.replica;
    return {
      id: this.id,
      endpoint: this.boundEndpoint,
      state: replica.state,
      standalone: true,
      epoch: replica.epoch,
      seq: replica.position,
      keys: replica.engine.size,
      digest: replica.engine.digest,
      ttlKeys: this.writer.ttlKeys,
      readsServed: this.handler.counts.served,
    };
  }

  private fromPeer(peer: Buffer, frames: Buffer[]): void {
    const message = decodeFrame(
      frames,
      'client',
      this.badInput,
      (frame) => this.transport.toPeer(peer, frame),
      this.options.limits.maxFrameBytes,
    );
    if (!message) return;
    if (message.type === 'request') {
      const limits = this.options.limits;
      const client = peer.toString('hex');
      const replies = batchTooLarge(message.ops, limits) ?? message.ops.map((op) => validateOp(op, limits) ?? this.answer(op, client));
      this.transport.toPeer(peer, encode({ type: 'reply', replies }));
    } else if (message.type === 'error') {
      this.badInput.warn('peer-error', 'error message from a client', { code: message.code, message: message.message });
    } else {
      const error = `a standalone node does not accept ${message.type}`;
      this.transport.toPeer(peer, encode({ type: 'error', code: 'ERR_WRONG_ROLE', message: error }));
    }
  }

  private answer(op: Op, client: string): Reply {
    switch (op.op) {
      case 'set':
      case 'del':
      case 'expire':
      case 'flushall':
        return this.writer.write(op, client);
      case 'nodes': {
        // The cluster of one, so that `nodes` and `verify` work here too.
        const { id, endpoint, seq, keys, digest } = this.stats();
        return { id: op.id, ok: true, value: { json: [{ id, endpoint, state: 'ready', keys, seq, digest }] } };
      }
      default:
        // It is the only copy and its own sequencer: no lease to hold.
        return this.handler.answer(op, () => undefined);
    }
  }
}
