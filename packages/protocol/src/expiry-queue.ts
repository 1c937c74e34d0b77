interface Expiry {
  at: number;
  key: string;
}

/**
 * The keys that carry a TTL, in the one place expiry is decided (invariant 8). A min-heap finds
 * the next to expire; a map of each key's current expiry skips entries that a later write replaced.
 */
export class ExpiryQueue {
  private readonly heap: Expiry[] = [];
  private readonly current = new Map<string, number>();

  get size(): number {
    return this.current.size;
  }

  /** Records the expiry of the key's latest write: `at` in ms on the owner's clock, or 0 for none. */
  set(key: string, at: number): void {
    if (at === 0) {
      this.current.delete(key);
      return;
    }
    this.current.set(key, at);
    this.push({ at, key });
  }

  delete(key: string): void {
    this.current.delete(key);
  }

  /** Whether the key's latest write has expired by `now` (and its delete is not sequenced yet). */
  expiredBy(key: string, now: number): boolean {
    const at = this.current.get(key);
    return at !== undefined && at <= now;
  }

  /** Forgets the key's expiry if it is still `at`: no later write has changed it. */
  deleteIfAt(key: string, at: number): void {
    if (this.current.get(key) === at) this.current.delete(key);
  }

  /** Removes and returns every key whose latest write has expired by `now`. */
  takeExpired(now: number): string[] {
    const expired: string[] = [];
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const { at, key } = this.pop();
      if (this.current.get(key) === at) {
        this.current.delete(key);
        expired.push(key);
      }
    }
    return expired;
  }

  clear(): void {
    this.heap.length = 0;
    this.current.clear();
  }

  private push(item: Expiry): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= item.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  private pop(): Expiry {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= last.at) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
