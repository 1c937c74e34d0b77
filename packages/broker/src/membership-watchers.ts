/**
 * The clients that asked, with `watch`, to be told which nodes are ready. A client renews its watch
 * well within `ttlMs`; one that stops (gone, or moved to another broker) is forgotten then, or at
 * once when a push to it fails.
 */
export class MembershipWatchers {
  private readonly watchers = new Map<string, { peer: Buffer; until: number }>();

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
    const now = this.now();
    const peers: Buffer[] = [];
    for (const [peerKey, watcher] of this.watchers) {
      if (watcher.until <= now) this.watchers.delete(peerKey);
      else peers.push(watcher.peer);
    }
    return peers;
  }
}
