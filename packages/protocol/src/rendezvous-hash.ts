import { placementHash } from './hash-tag.js';
import { murmur3Pair, murmur3String } from './murmur3.js';
import type { Partitioner } from './partitioner.js';

/**
 * Rendezvous (highest random weight) hashing: every node scores every key, and the key goes to the
 * node with the highest score, then the next highest, and so on. Adding or removing one node moves
 * only the keys it wins or held, about 1/N of them, and only to or from that node. A lookup is
 * O(nodes), which suits clusters of tens of nodes, and allocates nothing for `primary`.
 *
 * score(key, node) = murmur3 of the 8 bytes: placementHash(key), murmur3(node id), each a u32
 * little-endian. A tie, which almost never happens, goes to the lower node id.
 */
export class RendezvousHash implements Partitioner {
  readonly name = 'rendezvous';
  readonly nodeIds: readonly string[];
  private readonly nodeHashes: Uint32Array;
  /** Scratch for `preference`: the scores of the current key, and the node indexes in order. */
  private readonly scores: Uint32Array;
  private readonly order: Uint32Array;

  constructor(nodeIds: Iterable<string>) {
    this.nodeIds = [...new Set(nodeIds)].sort();
    this.nodeHashes = Uint32Array.from(this.nodeIds, (id) => murmur3String(id));
    this.scores = new Uint32Array(this.nodeIds.length);
    this.order = new Uint32Array(this.nodeIds.length);
  }

  primary(key: string): string | undefined {
    return this.ownerOfHash(placementHash(key));
  }

  ownerOfHash(keyHash: number): string | undefined {
    const hashes = this.nodeHashes;
    if (hashes.length === 0) return undefined;
    let best = 0;
    let bestScore = murmur3Pair(keyHash, hashes[0]!);
    for (let i = 1; i < hashes.length; i++) {
      const score = murmur3Pair(keyHash, hashes[i]!);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    return this.nodeIds[best];
  }

  preference(key: string): string[] {
    const { nodeHashes: hashes, scores, order } = this;
    const keyHash = placementHash(key);
    // Insertion sort by descending score: stable, so ties keep the id order; n is small.
    for (let i = 0; i < hashes.length; i++) {
      const score = murmur3Pair(keyHash, hashes[i]!);
      scores[i] = score;
      let j = i;
      while (j > 0 && scores[order[j - 1]!]! < score) {
        order[j] = order[j - 1]!;
        j--;
      }
      order[j] = i;
    }
    const result = new Array<string>(hashes.length);
    for (let i = 0; i < hashes.length; i++) result[i] = this.nodeIds[order[i]!]!;
    return result;
  }
}
