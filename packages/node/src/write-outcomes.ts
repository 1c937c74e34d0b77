/**
 * The outcomes of the last client writes, by the client's routing id and the op's id, so that a
 * retried write gets its first answer instead of being applied twice. Bounded: the oldest are
 * forgotten first, through a ring of keys (deleting through the Map's own iterator would be
 * quadratic).
 */
export class WriteOutcomes {
  /** Key: `client:opId`; value: whether the write removed a key (false for a set). */
  private readonly removed = new Map<string, boolean>();
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity = 100_000) {
    this.order = new Array<string | undefined>(capacity);
  }

  get size(): number {
    return this.removed.size;
  }

  /** Whether the write removed a key, or undefined when this write has not been seen. */
  get(client: string, opId: number): boolean | undefined {
    return this.removed.get(`${client}:${opId}`);
  }

  remember(client: string, opId: number, removed: boolean): void {
    const key = `${client}:${opId}`;
    const evicted = this.order[this.next];
    if (evicted !== undefined) this.removed.delete(evicted);
    this.order[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.removed.set(key, removed);
  }
}
