/** How often, at most, the table is swept for expired watches, in ms. */
const EXPIRE_EVERY_MS = 1000;

/**
 * The clients that asked, with `watch`, to be told which nodes are ready. A client renews its watch
 * well within `ttlMs`; one that stops (gone, or moved to another broker) is forgotten then, or at
 * once when a push to it fails.
 */
export class MembershipWatchers {
  private readonly watchers = new Map<string, { peer: Buffer; until: number }>();
  private nextExpiryAt = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  watch(peer: Buffer, peerKey: string): void {
    this.watchers.set(peerKey, { peer, until: this.now() + this.ttlMs });
  }

  forget(peerKey: string): boolean {
    return this.watchers.delete(peerKey);
  }

  /** The peers still watching; expired watches are dropped on the way. */
  peers(): Buffer[] {
    this.expire();
    const now = this.now();
    return [...this.watchers.values()].filter((watcher) => watcher.until > now).map((watcher) => watcher.peer);
  }

  /** Drops the watches whose time is up. Cheap to call often: it sweeps at most once a second. */
  expire(): void {
    const now = this.now();
    if (now < this.nextExpiryAt && this.watchers.size > 0) return;
    this.nextExpiryAt = now + Math.min(this.ttlMs, EXPIRE_EVERY_MS);
    for (const [peerKey, watcher] of this.watchers) if (watcher.until <= now) this.watchers.delete(peerKey);
  }
}
