import { BoundedMap } from './bounded-map.js';

/**
 * Retry deduplication: what is known of the last client writes, by the client's routing id (hex)
 * and the op's id, so that a retry of a write gets that write's answer instead of being applied
 * twice. Bounded: the oldest are forgotten first. The broker keeps each write here from the moment
 * it is stamped, with the retries that wait for it (`DedupTable`); a standalone node, which applies
 * a write at once, keeps only whether it removed a key.
 */
export class WriteOutcomes<T> {
  private readonly outcomes: BoundedMap<T>;

  constructor(capacity: number) {
    this.outcomes = new BoundedMap(capacity);
  }

  /** The key of one client write: the same (client, op id) that a `RecentWrite` names. */
  static key(client: string, opId: number): string {
    return `${client}:${opId}`;
  }

  get size(): number {
    return this.outcomes.size;
  }

  get(key: string): T | undefined {
    return this.outcomes.get(key);
  }

  set(key: string, outcome: T): void {
    this.outcomes.set(key, outcome);
  }

  delete(key: string): void {
    this.outcomes.delete(key);
  }
}
