/**
 * A Map from strings that holds at most `capacity` keys: setting one more forgets the oldest set.
 * The order lives in a ring of keys, because evicting through the Map's own iterator would be
 * quadratic (V8 walks over the holes that earlier deletes left at its front).
 */
export class BoundedMap<V> {
  private readonly entries = new Map<string, V>();
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.order = new Array<string | undefined>(capacity);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    const evicted = this.order[this.next];
    if (evicted !== undefined && evicted !== key) this.entries.delete(evicted);
    this.order[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.entries.set(key, value);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.order.fill(undefined);
    this.next = 0;
  }
}
