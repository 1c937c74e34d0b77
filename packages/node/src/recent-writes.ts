import type { RecentWrite, WriteOrigin } from '@brainer/protocol';

const SET = 1;
const DEL = 2;
const REMOVED = 4;

/**
 * The origins of the last client writes this node applied, in a fixed-size ring. A broker that
 * starts fetches them from the most advanced node, so that it still answers a retry of a write
 * made before it started with that write's outcome instead of applying it twice. Kept in typed
 * arrays, with each client's id stored once: a few bytes per write.
 */
export class RecentWrites {
  /** Called with each write recorded: an engine that persists the recent writes logs them here. */
  onRecord: ((origin: WriteOrigin, kind: 'set' | 'del', removed: boolean) => void) | undefined;
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

  record(origin: WriteOrigin, kind: 'set' | 'del', removed: boolean): void {
    let client = this.clientIndex.get(origin.client);
    if (client === undefined) {
      client = this.clientIds.push(origin.client) - 1;
      this.clientIndex.set(origin.client, client);
    }
    this.clients[this.next] = client;
    this.opIds[this.next] = origin.opId;
    this.flags[this.next] = (kind === 'set' ? SET : DEL) | (removed ? REMOVED : 0);
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
  forEach(visit: (client: string, opId: number, kind: 'set' | 'del', removed: boolean) => void): void {
    for (let i = 0; i < this.capacity; i++) {
      const at = (this.next + i) % this.capacity;
      const flags = this.flags[at]!;
      if (flags !== 0) visit(this.clientIds[this.clients[at]!]!, this.opIds[at]!, flags & SET ? 'set' : 'del', (flags & REMOVED) !== 0);
    }
  }
}
