import { EventEmitter } from 'node:events';
import { Brainer, BrainerError, type BrainerOptions, type WaitMode } from '@brainer/client';
import { InvalidOptionError } from '@brainer/protocol';
import { escapeGlob } from './escape-glob.js';

export interface KeyvBrainerOptions {
  /** Options for the client the store creates when given an endpoint. Ignored when given a `Brainer`. */
  client?: Partial<BrainerOptions>;
  /** When a write is answered: `all` (default) once every ready node applied it, `primary` once the key's primary did. */
  wait?: WaitMode;
  /** How many keys `iterator()` and `clear()` read or delete per request batch. Default 500. */
  batchSize?: number;
}

export const DEFAULT_KEYV_BRAINER_OPTIONS = { wait: 'all', batchSize: 500 } as const;

/**
 * A Keyv store on a Brainer cluster. Keyv hands it keys already prefixed with `namespace:` and values
 * already serialized to strings; it stores those strings as they are, with Keyv's ttl as the key's TTL.
 */
export class KeyvBrainer extends EventEmitter {
  /** Keyv reads `opts.dialect` and `opts.url` to decide which stores it iterates itself. */
  readonly opts: { dialect: 'brainer'; url: string; [option: string]: unknown };
  /** Set by Keyv: the prefix (without the `:`) of the keys this store's `clear()` deletes. */
  namespace: string | undefined;
  readonly client: Brainer;
  private readonly ownsClient: boolean;
  private readonly wait: WaitMode;
  private readonly batchSize: number;

  constructor(endpointOrClient: string | Brainer, options: KeyvBrainerOptions = {}) {
    super();
    if (typeof endpointOrClient === 'string') {
      this.client = new Brainer(endpointOrClient, options.client);
      this.ownsClient = true;
    } else if (endpointOrClient instanceof Brainer) {
      this.client = endpointOrClient;
      this.ownsClient = false;
    } else {
      throw new InvalidOptionError('endpointOrClient', 'must be an endpoint string or a Brainer client');
    }
    this.wait = options.wait ?? DEFAULT_KEYV_BRAINER_OPTIONS.wait;
    if (this.wait !== 'all' && this.wait !== 'primary') throw new InvalidOptionError('wait', "must be 'all' or 'primary'");
    this.batchSize = options.batchSize ?? DEFAULT_KEYV_BRAINER_OPTIONS.batchSize;
    if (!Number.isSafeInteger(this.batchSize) || this.batchSize < 1)
      throw new InvalidOptionError('batchSize', 'must be a whole number ≥ 1');
    this.opts = { dialect: 'brainer', url: this.client.endpoint };
  }

  get(key: string): Promise<string | undefined> {
    return this.run(async () => (await this.client.get(key)) ?? undefined);
  }

  /** Reads every key at once: the client sends the reads of one tick in one frame. */
  getMany(keys: string[]): Promise<Array<string | undefined>> {
    return this.run(() => this.readAll(keys));
  }

  has(key: string): Promise<boolean> {
    return this.run(async () => (await this.client.get(key)) !== null);
  }

  /** `ttl` in ms; none (or 0) keeps the key until it is deleted. */
  set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    return this.run(async () => {
      if (typeof value !== 'string') {
        throw new BrainerError('ERR_BAD_REQUEST', `KeyvBrainer stores strings (Keyv's serialized values), not ${typeof value}`);
      }
      await this.client.set(key, value, { wait: this.wait, ttlMs: ttlMsOf(ttl) });
      return true;
    });
  }

  /** Resolves true when the key existed. */
  delete(key: string): Promise<boolean> {
    return this.run(() => this.client.del(key, { wait: this.wait }));
  }

  /** Resolves true when at least one of the keys existed. */
  deleteMany(keys: string[]): Promise<boolean> {
    return this.run(async () => (await this.deleteAll(keys)).some(Boolean));
  }

  /** Deletes the keys of this store's namespace (`namespace:*`), or every key when it has none. */
  clear(): Promise<void> {
    return this.run(async () => {
      const keys = await this.client.keys(this.patternOf(this.namespace));
      for (let i = 0; i < keys.length; i += this.batchSize) await this.deleteAll(keys.slice(i, i + this.batchSize));
    });
  }

  /**
   * Yields `[key, value]` for the keys of `namespace` (every key when none), with keys as stored
   * (prefixed). The key list is taken once, at the start; a key deleted since is skipped.
   */
  async *iterator(namespace?: string): AsyncGenerator<[string, string], void> {
    const keys = await this.run(() => this.client.keys(this.patternOf(namespace)));
    for (let i = 0; i < keys.length; i += this.batchSize) {
      const batch = keys.slice(i, i + this.batchSize);
      const values = await this.run(() => this.readAll(batch));
      for (const [j, value] of values.entries()) if (value !== undefined) yield [batch[j]!, value];
    }
  }

  /** Closes the client if this store created it; a client passed in stays open for its owner to close. */
  async disconnect(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private readAll(keys: string[]): Promise<Array<string | undefined>> {
    return Promise.all(keys.map(async (key) => (await this.client.get(key)) ?? undefined));
  }

  private deleteAll(keys: string[]): Promise<boolean[]> {
    return Promise.all(keys.map((key) => this.client.del(key, { wait: this.wait })));
  }

  private patternOf(namespace: string | undefined): string {
    return namespace === undefined || namespace === '' ? '*' : `${escapeGlob(namespace)}:*`;
  }

  /** Reports a failure as an `error` event (when anyone listens, as Keyv does) and rejects with it. */
  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', error);
      throw error;
    }
  }
}

function ttlMsOf(ttl: number | undefined): number {
  if (ttl === undefined || ttl === 0) return 0;
  if (!Number.isFinite(ttl) || ttl < 0) throw new BrainerError('ERR_BAD_REQUEST', `ttl must be a positive number of ms, got ${ttl}`);
  return Math.ceil(ttl);
}
