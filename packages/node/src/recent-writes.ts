import type { RecentWrite, WriteKind, WriteOrigin } from '@brainer/protocol';

// A write's flags: its kind's code (never 0, which marks an empty slot), and whether it found its key.
const KIND_CODES: Record<WriteKind, number> = { set: 1, del: 2, expire: 3, flush: 4 };
const KIND_BY_CODE: readonly WriteKind[] = ['set', 'set', 'del', 'expire', 'flush'];
const KIND_BITS = 7;
const REMOVED = 8;

/**
 * The origins of the last client writes this node applied, in a fixed-size ring. A broker that
 * starts fetches them from the most advanced node, so that it still answers a retry of a write
 * made before it started with that write's outcome instead of applying it twice. Kept in typed
 * arrays, with each client's id stored once: a few bytes per write.
 */
export class RecentWrites {
  /** Called with each write recorded: an engine that persists the recent writes logs them here. */
  onRecord: ((origin: WriteOrigin, kind: WriteKind, removed: boolean) => void) | undefined;
  private readonly clientIndex = new Map<string, number>();
  private readonly clientIds: string[] = [];
  private readonly clients: Uint32Array;
  private readonly opIds: Uint32Array;
  private readonly flags: Uint8Array;
  private next = 0;

  constructor(private readonly capacity = 100_000) {
    this.clients = new Uint32Array(capacity);
    this.opIds = new Uint32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  record(origin: WriteOrigin, kind: WriteKind, removed: boolean): void {
    let client = this.clientIndex.get(origin.client);
    if (client === undefined) {
      client = this.clientIds.push(origin.client) - 1;
      this.clientIndex.set(origin.client, client);
    }
    this.clients[this.next] = client;
    this.opIds[this.next] = origin.opId;
    this.flags[this.next] = KIND_CODES[kind] | (removed ? REMOVED : 0);
    this.next = (this.next + 1) % this.capacity;
    this.onRecord?.(origin, kind, removed);
  }

  /** Oldest first. */
  list(): RecentWrite[] {
    const list: RecentWrite[] = [];
    this.forEach((client, opId, kind, removed) => list.push([client, opId, kind, removed ? 1 : 0]));
    return list;
  }

  /** Visits every remembered write, oldest first, without building a list. */
  forEach(visit: (client: string, opId: number, kind: WriteKind, removed: boolean) => void): void {
    for (let i = 0; i < this.capacity; i++) {
      const at = (this.next + i) % this.capacity;
      const flags = this.flags[at]!;
      if (flags !== 0)
        visit(this.clientIds[this.clients[at]!]!, this.opIds[at]!, KIND_BY_CODE[flags & KIND_BITS]!, (flags & REMOVED) !== 0);
    }
  }
}
