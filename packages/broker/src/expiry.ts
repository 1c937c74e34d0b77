import { ExpiryQueue, expiryOnLocalClock, type ExpiriesAnswer, type Write } from '@brainer/protocol';
import type { PendingWrite } from './ack-tracker.js';

/**
 * TTL expiry, decided by the broker alone: it tracks every key with a TTL on its own monotonic
 * clock and, once the time is up, sequences the key's delete like any write, so every node drops it
 * at the same point of the log whatever its own clock says.
 */
export class Expiry {
  private readonly queue = new ExpiryQueue();
  /** Keys deleted because their TTL passed, since the start. */
  expiredKeys = 0;

  /** `deleteKey` sequences the delete of a key whose time is up. */
  constructor(
    private readonly now: () => number,
    private readonly deleteKey: (key: string) => void,
  ) {}

  get size(): number {
    return this.queue.size;
  }

  /** Every write, as it is sequenced. */
  onSequenced(write: Write): void {
    if (write.kind === 'set' || write.kind === 'expire') this.queue.set(write.key, write.expiresAt);
    else if (write.kind === 'del') this.queue.delete(write.key);
    else this.queue.clear();
  }

  /** Before an expire is sequenced: a key whose time is up is deleted first, so the expire finds it missing everywhere. */
  beforeExpire(key: string): void {
    if (this.queue.expiredBy(key, this.now())) this.expire(key, true);
  }

  /** An expire of a key no node had leaves nothing to expire. */
  onCompleted(write: PendingWrite): void {
    if (write.expiry && !write.removed) this.queue.deleteIfAt(write.expiry.key, write.expiry.at);
  }

  /** An expire that failed may never reach a node: its expiry is not the key's. */
  onFailed(write: PendingWrite): void {
    if (write.expiry) this.queue.deleteIfAt(write.expiry.key, write.expiry.at);
  }

  /** Sequences the deletes of the keys whose time is up. Only call it while writes can be sequenced. */
  sweep(): void {
    for (const key of this.queue.takeExpired(this.now())) this.expire(key, false);
  }

  /** Forgets every TTL: a new epoch's content brings its own. */
  clear(): void {
    this.queue.clear();
  }

  /** Tracks again the TTLs a node holds (`expiries`), timed from the answer's receipt. */
  load(answer: ExpiriesAnswer): void {
    const now = this.now();
    for (const [key, expiresAt] of answer.keys) this.queue.set(key, expiryOnLocalClock(expiresAt, answer.sentAt, now));
  }

  private expire(key: string, forget: boolean): void {
    if (forget) this.queue.delete(key);
    this.expiredKeys++;
    this.deleteKey(key);
  }
}
