/**
 * Orders keys by their UTF-8 bytes (which is code point order), as every node must for `scan`, so
 * that a listing can go on at another node. JavaScript's `<` compares UTF-16 code units, which puts
 * U+E000–U+FFFF after the astral characters; this moves the surrogates above them.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/**
 * The `count` smallest keys offered that sort after `after`, kept in a max-heap of `count` entries
 * so that a page of a large store costs one pass and no sort of every key.
 */
export class KeyPage {
  private readonly heap: string[] = [];

  constructor(
    private readonly after: string,
    private readonly count: number,
  ) {}

  offer(key: string): void {
    if (compareKeys(key, this.after) <= 0) return;
    const heap = this.heap;
    if (heap.length < this.count) {
      heap.push(key);
      this.siftUp(heap.length - 1);
    } else if (compareKeys(key, heap[0]!) < 0) {
      heap[0] = key;
      this.siftDown(0);
    }
  }

  /** The keys kept, in order. */
  keys(): string[] {
    return [...this.heap].sort(compareKeys);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareKeys(heap[i]!, heap[parent]!) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && compareKeys(heap[left]!, heap[largest]!) > 0) largest = left;
      if (right < heap.length && compareKeys(heap[right]!, heap[largest]!) > 0) largest = right;
      if (largest === i) return;
      [heap[i], heap[largest]] = [heap[largest]!, heap[i]!];
      i = largest;
    }
  }
}
