import { BoundedMap } from '@brainer/protocol';

/**
 * The outcomes of the last client writes, by the client's routing id and the op's id, so that a
 * retried write gets its first answer instead of being applied twice. Bounded: the oldest are
 * forgotten first.
 */
export class WriteOutcomes {
  /** Key: `client:opId`; value: whether the write removed a key (false for a set). */
  private readonly removed: BoundedMap<boolean>;

  constructor(capacity = 100_000) {
    this.removed = new BoundedMap(capacity);
  }

  get size(): number {
    return this.removed.size;
  }

  /** Whether the write removed a key, or undefined when this write has not been seen. */
  get(client: string, opId: number): boolean | undefined {
    return this.removed.get(`${client}:${opId}`);
  }

  remember(client: string, opId: number, removed: boolean): void {
    this.removed.set(`${client}:${opId}`, removed);
  }
}
