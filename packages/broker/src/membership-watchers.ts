import type { PeerId } from './ports.js';

/** How often, at most, the table is swept for expired watches, in ms. */
const EXPIRE_EVERY_MS = 1000;

/**
 * The clients that asked, with `watch`, to be told which nodes are ready. A client renews its watch
 * well within `ttlMs`; one that stops (gone, or moved to another broker) is forgotten then, or at
 * once when a push to it fails.
 */
export class MembershipWatchers {
  /** Each watching client, and until when its watch holds. */
  private readonly watchers = new Map<PeerId, number>();
  private nextExpiryAt = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.watchers.size;
  }

  watch(peer: PeerId): void {
    this.watchers.set(peer, this.now() + this.ttlMs);
  }

  forget(peer: PeerId): boolean {
    return this.watchers.delete(peer);
  }

  /** The peers still watching; expired watches are dropped on the way. */
  peers(): PeerId[] {
    this.expire();
    const now = this.now();
    return [...this.watchers].filter(([, until]) => until > now).map(([peer]) => peer);
  }

  /** Drops the watches whose time is up. Cheap to call often: it sweeps at most once a second. */
  expire(): void {
    const now = this.now();
    if (now < this.nextExpiryAt && this.watchers.size > 0) return;
    this.nextExpiryAt = now + Math.min(this.ttlMs, EXPIRE_EVERY_MS);
    for (const [peer, until] of this.watchers) if (until <= now) this.watchers.delete(peer);
  }
}
