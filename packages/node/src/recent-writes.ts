import type { WriteOrigin } from '@brainer/protocol';

/** One remembered client write: who sent it, and what it answered. */
export type RecentWrite = [client: string, opId: number, kind: 'set' | 'del', removed: 0 | 1];

/**
 * The origins of the last client writes this node applied, in a fixed-size ring. A broker that
 * starts fetches them from the most advanced node, so that it still answers a retry of a write
 * made before it started with that write's outcome instead of applying it twice.
 */
export class RecentWrites {
  private readonly ring: (RecentWrite | undefined)[];
  private next = 0;

  constructor(private readonly capacity = 100_000) {
    this.ring = new Array<RecentWrite | undefined>(capacity);
  }

  record(origin: WriteOrigin, kind: 'set' | 'del', removed: boolean): void {
    this.ring[this.next] = [origin.client, origin.opId, kind, removed ? 1 : 0];
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first. */
  list(): RecentWrite[] {
    const older = this.ring.slice(this.next).filter((entry): entry is RecentWrite => entry !== undefined);
    const newer = this.ring.slice(0, this.next).filter((entry): entry is RecentWrite => entry !== undefined);
    return [...older, ...newer];
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
  }
}
