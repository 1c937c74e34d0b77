import { placementHash } from './hash-tag.js';
import { murmur3String } from './murmur3.js';
import type { Partitioner } from './partitioner.js';

/** Points each node places on the ring. More points give a more even spread. */
export const DEFAULT_VIRTUAL_NODES = 160;

/**
 * Consistent hashing with virtual nodes: each node owns the arcs that end at its points, so adding
 * or removing one node moves only about 1/N of the keys, all of them to or from that node.
 */
export class ConsistentHashRing implements Partitioner {
  readonly name = 'consistent';
  readonly nodeIds: readonly string[];
  private readonly points: Uint32Array;
  private readonly owners: string[];

  constructor(nodeIds: Iterable<string>, virtualNodes = DEFAULT_VIRTUAL_NODES) {
    this.nodeIds = [...new Set(nodeIds)].sort();
    const placed: { point: number; owner: string }[] = [];
    for (const owner of this.nodeIds) {
      for (let i = 0; i < virtualNodes; i++) placed.push({ point: murmur3String(`${owner}#${i}`), owner });
    }
    placed.sort((a, b) => a.point - b.point || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    this.points = Uint32Array.from(placed, (p) => p.point);
    this.owners = placed.map((p) => p.owner);
  }

  primary(key: string): string | undefined {
    return this.ownerOfHash(placementHash(key));
  }

  ownerOfHash(hash: number): string | undefined {
    if (this.owners.length === 0) return undefined;
    return this.owners[this.indexFor(hash)];
  }

  preference(key: string): string[] {
    const result: string[] = [];
    if (this.owners.length === 0) return result;
    const start = this.indexFor(placementHash(key));
    for (let i = 0; i < this.owners.length && result.length < this.nodeIds.length; i++) {
      const owner = this.owners[(start + i) % this.owners.length]!;
      if (!result.includes(owner)) result.push(owner);
    }
    return result;
  }

  /** The first point at or after `hash`, wrapping to the start. */
  private indexFor(hash: number): number {
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.points[mid]! < hash) low = mid + 1;
      else high = mid;
    }
    return low === this.points.length ? 0 : low;
  }
}
