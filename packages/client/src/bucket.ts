import { BrainerError, bucketItemKey, entriesOf, requireBucketName, type ReplyValue } from '@brainer/protocol';
import type { Value } from './call-arguments.js';
import type { DelOptions, SetOptions } from './call-options.js';

/** The single-key calls a bucket makes on its client (a `Brainer`). */
export interface KeyCalls {
  get(key: string): Promise<string | null>;
  set(key: string, value: Value, options?: SetOptions): Promise<void>;
  del(key: string, options?: DelOptions): Promise<boolean>;
}

/**
 * A bucket of items (Grex's buckets): item `I` of bucket `B` is the key `{B}I`. The `{B}` hash tag
 * puts every item of a bucket on the same primary, so `getAll` reads them all in one request,
 * answered by that one node.
 */
export class Bucket {
  readonly name: string;

  /** Throws ERR_BAD_KEY for a name that cannot be a bucket's: empty, or holding a `}`. */
  constructor(
    private readonly client: KeyCalls,
    name: string,
    private readonly fetchItems: (bucket: string) => Promise<ReplyValue>,
  ) {
    this.name = requireBucketName(name);
  }

  /** The key that holds `item`: `{bucket}item`. */
  key(item: string): string {
    if (typeof item !== 'string')
      throw new BrainerError('ERR_BAD_KEY', `item must be a string, not ${item === null ? 'null' : typeof item}`);
    return bucketItemKey(this.name, item);
  }

  /** Every item of the bucket and its value, as UTF-8. Empty when the bucket has no item. */
  async getAll(): Promise<Map<string, string>> {
    const items = await this.getAllBuffers();
    return new Map([...items].map(([item, value]) => [item, value.toString('utf8')]));
  }

  /** Every item of the bucket and its value, as bytes. */
  async getAllBuffers(): Promise<Map<string, Buffer>> {
    const value = await this.fetchItems(this.name);
    const entries = entriesOf(value);
    if (entries === undefined) throw new BrainerError('ERR_INTERNAL', `unexpected answer to bucket: ${typeof value}`);
    return new Map(entries);
  }

  /** One item's value, or null when the bucket does not hold it. */
  async get(item: string): Promise<string | null> {
    return this.client.get(this.key(item));
  }

  async set(item: string, value: Value, options?: SetOptions): Promise<void> {
    return this.client.set(this.key(item), value, options);
  }

  /** Resolves true when the item existed. */
  async del(item: string, options?: DelOptions): Promise<boolean> {
    return this.client.del(this.key(item), options);
  }
}
