/** The key placement schemes, by the name `run-broker --partitioner` and the protocol use. */
export const PARTITIONER_NAMES = ['consistent', 'rendezvous'] as const;

export type PartitionerName = (typeof PARTITIONER_NAMES)[number];

export const DEFAULT_PARTITIONER: PartitionerName = 'consistent';

export function isPartitionerName(value: unknown): value is PartitionerName {
  return (PARTITIONER_NAMES as readonly unknown[]).includes(value);
}

/**
 * Places keys on nodes. Implementations are immutable: build a new one when membership changes.
 * Every implementation places a key by `placementHash`, so the keys of one hash tag share a primary.
 */
export interface Partitioner {
  /** Which scheme this is: a client that routes reads itself builds the same one with `createPartitioner`. */
  readonly name: PartitionerName;
  /** The node ids this partitioner was built from, sorted. */
  readonly nodeIds: readonly string[];
  /** The key's primary node, or undefined when there are no nodes. */
  primary(key: string): string | undefined;
  /** The primary of any key whose `placementHash` is `hash` (a u32): what the status page draws the ring from. */
  ownerOfHash(hash: number): string | undefined;
  /** Every node, in the order the key should try them: primary first, then fallbacks. */
  preference(key: string): string[];
}
