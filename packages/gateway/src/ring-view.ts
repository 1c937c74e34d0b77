import { createPartitioner, isPartitionerName, type PartitionerName } from '@brainer/protocol';

/** One arc of the ring: the keys whose placement hash falls from `start` to `end` (fractions of the circle) go to `node`. */
export interface RingArc {
  node: string;
  start: number;
  end: number;
}

export interface RingView {
  partitioner: PartitionerName;
  /** The arcs in ring order, neighbours of one owner merged; empty without ready nodes. */
  arcs: RingArc[];
  /** Each ready node's share of the key space, 0 to 1. */
  shares: Record<string, number>;
}

/** Points of the hash space sampled for the shares: a share is right to well under 1%, in a few ms, once a membership change. */
export const SHARE_SAMPLES = 16_384;
/** Points sampled for the arcs drawn: one a half degree. */
export const ARC_SAMPLES = 720;

/**
 * The ring as the broker places keys on the ready nodes: who owns each point of the 32-bit hash
 * space, sampled evenly. Under `rendezvous` there is no ring as such; the arcs then show which
 * node wins each point, which gives the same shares.
 */
export function ringView(partitionerName: unknown, readyIds: readonly string[]): RingView {
  const name = isPartitionerName(partitionerName) ? partitionerName : 'consistent';
  const partitioner = createPartitioner(name, readyIds);
  const counts = new Map<string, number>(partitioner.nodeIds.map((id) => [id, 0]));
  for (let i = 0; i < SHARE_SAMPLES; i++) {
    const owner = partitioner.ownerOfHash(pointAt(i, SHARE_SAMPLES));
    if (owner !== undefined) counts.set(owner, counts.get(owner)! + 1);
  }
  const arcs: RingArc[] = [];
  for (let i = 0; i < ARC_SAMPLES; i++) {
    const owner = partitioner.ownerOfHash(pointAt(i, ARC_SAMPLES));
    if (owner === undefined) break;
    const last = arcs[arcs.length - 1];
    if (last?.node === owner) last.end = (i + 1) / ARC_SAMPLES;
    else arcs.push({ node: owner, start: i / ARC_SAMPLES, end: (i + 1) / ARC_SAMPLES });
  }
  const shares = Object.fromEntries([...counts].map(([id, count]) => [id, count / SHARE_SAMPLES]));
  return { partitioner: name, arcs, shares };
}

/** The middle of the i-th of n equal slices of the u32 hash space. */
function pointAt(i: number, n: number): number {
  return Math.floor(((i + 0.5) / n) * 2 ** 32) >>> 0;
}
