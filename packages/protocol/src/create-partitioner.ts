import { ConsistentHashRing } from './consistent-hash-ring.js';
import { InvalidOptionError } from './errors.js';
import { isPartitionerName, PARTITIONER_NAMES, type Partitioner, type PartitionerName } from './partitioner.js';
import { RendezvousHash } from './rendezvous-hash.js';

/**
 * The partitioner of that name over these node ids. The broker builds its placement with it, and
 * a client that reads from nodes directly builds the same one from the name and the ready node ids
 * it is told, so both agree on every key's primary.
 */
export function createPartitioner(name: PartitionerName, nodeIds: Iterable<string>): Partitioner {
  switch (requirePartitionerName('partitioner', name)) {
    case 'consistent':
      return new ConsistentHashRing(nodeIds);
    case 'rendezvous':
      return new RendezvousHash(nodeIds);
  }
}

/** Checks a partitioner name, naming the field when it is not one. */
export function requirePartitionerName(field: string, value: unknown): PartitionerName {
  if (!isPartitionerName(value)) {
    throw new InvalidOptionError(field, `must be one of ${PARTITIONER_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value;
}
