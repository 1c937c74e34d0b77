import { Etcd3, type Lease, type Watcher } from 'etcd3';
import type { Logger } from '@brainer/protocol';

export interface ElectionSettings {
  /** etcd's client URLs, such as http://127.0.0.1:2379. */
  hosts: readonly string[];
  /** Brokers of one cluster campaign under the same name. */
  cluster: string;
  /** The TTL of the leader's etcd lease, in seconds. */
  ttlS: number;
  now: () => number;
  logger: Logger;
}

export interface ElectionEvents {
  /** This broker leads, in term `term`: the etcd revision at which its leader key was created. */
  elected(term: number): void;
  /** This broker no longer certainly leads. */
  deposed(reason: string): void;
}

/** How often a leader checks that its lease is still certainly alive, in ms. */
const CHECK_MS = 100;

/**
 * Leader election on etcd. Every broker of a cluster tries to create one key,
 * `/brainer/<cluster>/leader`, bound to a lease of its own and holding its endpoint; the one that
 * creates it leads, in the term of the key's creation revision, and the others watch the key and try
 * again once it is gone (the leader's lease expired, or it resigned). A leader counts its lease alive
 * only until the time it sent its last answered keep-alive plus the TTL, less a margin, on its own
 * monotonic clock: etcd cannot expire the key before then, so no two brokers ever both believe
 * they lead.
 */
export class EtcdElection {
  private readonly client: Etcd3;
  private readonly key: string;
  private readonly marginMs: number;
  private lease: Lease | undefined;
  private watcher: Watcher | undefined;
  private endpoint = '';
  private term: number | undefined;
  private validUntil = -Infinity;
  /** When each keep-alive still unanswered was sent. */
  private readonly keepalivesSent: number[] = [];
  private campaigning = false;
  private lastCampaignAt = -Infinity;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryWatch: NodeJS.Timeout | undefined;
  private readonly checkTimer: NodeJS.Timeout;
  private closed = false;
  /** The leader's endpoint, as this broker last saw it. */
  leader: string | undefined;

  constructor(
    private readonly settings: ElectionSettings,
    private readonly events: ElectionEvents,
  ) {
    this.client = new Etcd3({
      hosts: [...settings.hosts],
      dialTimeout: 2000,
      // A connection that went silent (a partition drops packets; nothing resets it) must not hold the
      // election up for as long as TCP backs off: pings find it dead in seconds (etcd refuses pings
      // less than 5 s apart), no call waits past a deadline, and each failed host is dialled afresh
      // rather than through a connection attempt that is itself stuck (a subchannel shared across resets).
      grpcOptions: { 'grpc.keepalive_time_ms': 6000, 'grpc.keepalive_timeout_ms': 2000, 'grpc.use_local_subchannel_pool': 1 },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + settings.ttlS * 1000 + 1000 }),
    });
    this.key = `/brainer/${settings.cluster}/leader`;
    this.marginMs = Math.max(100, settings.ttlS * 100);
    this.checkTimer = setInterval(() => this.checkLease(), CHECK_MS);
  }

  /** The term this broker leads in, or undefined. */
  get leadingTerm(): number | undefined {
    return this.term;
  }

  /** Whether this broker leads, with a lease certainly alive by its own clock. */
  holdsLeadership(): boolean {
    return this.term !== undefined && this.settings.now() < this.validUntil;
  }

  /** Watches the leader key and campaigns with `endpoint` as this broker's value; etcd may be down yet. */
  start(endpoint: string): void {
    this.endpoint = endpoint;
    void this.watchLeader();
    void this.campaign();
  }

  private async watchLeader(): Promise<void> {
    try {
      const watcher = await this.client.watch().key(this.key).create();
      if (this.closed) return void watcher.cancel();
      this.watcher = watcher;
      watcher.on('put', (kv) => (this.leader = kv.value.toString()));
      watcher.on('delete', () => {
        this.leader = undefined;
        void this.campaign();
      });
      watcher.on('error', (error) => this.settings.logger.warn('etcd watch failed', { error: String(error) }));
    } catch (error) {
      if (this.closed) return;
      this.settings.logger.warn('cannot watch the leader key in etcd yet; trying again', { error: String(error) });
      this.retryWatch = setTimeout(() => void this.watchLeader(), (this.settings.ttlS * 1000) / 2);
    }
  }

  /** Gives the leadership up at once, so a standby takes over without waiting out the lease. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.checkTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.retryWatch);
    const lease = this.lease;
    this.lease = undefined;
    this.term = undefined;
    await Promise.allSettled([this.watcher?.cancel(), lease?.revoke()]);
    this.client.close();
  }

  private async campaign(): Promise<void> {
    if (this.closed || this.campaigning || this.term !== undefined) return;
    this.campaigning = true;
    this.lastCampaignAt = this.settings.now();
    try {
      const lease = await this.freshLease();
      const leaseId = await lease.grant();
      const result = await this.client
        .if(this.key, 'Create', '==', 0)
        .then(this.client.put(this.key).value(this.endpoint).lease(leaseId))
        .else(this.client.get(this.key))
        .commit();
      if (this.closed) return;
      if (result.succeeded) {
        this.term = Number(result.header.revision);
        this.leader = this.endpoint;
        this.settings.logger.info('elected leader', { term: this.term, key: this.key });
        this.events.elected(this.term);
      } else {
        this.leader = result.responses[0]?.response_range?.kvs[0]?.value.toString() ?? this.leader;
      }
    } catch (error) {
      this.settings.logger.warn('campaign failed; trying again', { error: String(error) });
      this.retryLater();
    } finally {
      this.campaigning = false;
    }
  }

  /** A lease of this broker's own; a lease that was lost is replaced. */
  private async freshLease(): Promise<Lease> {
    if (this.lease && !this.lease.revoked()) return this.lease;
    const sentAt = this.settings.now();
    const lease = this.client.lease(this.settings.ttlS, { autoKeepAlive: true });
    this.lease = lease;
    this.keepalivesSent.length = 0;
    lease.on('keepaliveFired', () => this.keepalivesSent.push(this.settings.now()));
    lease.on('keepaliveSucceeded', () => this.renewedAt(this.keepalivesSent.shift()));
    // A failed stream ends the keep-alives sent on it: none of them will be answered.
    lease.on('keepaliveFailed', () => (this.keepalivesSent.length = 0));
    lease.on('lost', (error) => this.stepDown(`etcd lease lost: ${String(error)}`, lease));
    await lease.grant();
    this.renewedAt(sentAt);
    return lease;
  }

  private renewedAt(sentAt: number | undefined): void {
    if (sentAt !== undefined) this.validUntil = Math.max(this.validUntil, sentAt + this.settings.ttlS * 1000 - this.marginMs);
  }

  private checkLease(): void {
    const now = this.settings.now();
    if (this.term !== undefined && now >= this.validUntil) this.stepDown('the etcd lease was not renewed in time', this.lease);
    // A watch that missed the key's deletion (etcd restarted, a reconnect, a partition) must not leave the
    // cluster leaderless: such a watch still names the old leader, so a standby that has not campaigned
    // for a TTL campaigns again regardless.
    if (this.term === undefined && now - this.lastCampaignAt >= this.settings.ttlS * 1000) {
      void this.campaign();
    }
  }

  private stepDown(reason: string, lease: Lease | undefined): void {
    if (lease !== this.lease) return;
    this.lease = undefined;
    void lease?.revoke().catch(() => undefined);
    if (this.term === undefined) return;
    this.term = undefined;
    this.validUntil = -Infinity;
    // It no longer knows who leads: a standby naming itself would send clients and nodes back to it.
    if (this.leader === this.endpoint) this.leader = undefined;
    this.settings.logger.warn('stepping down as leader', { reason });
    this.events.deposed(reason);
    if (!this.closed) this.retryLater();
  }

  /** Campaigns again in half a TTL; one retry waits at a time, so failures do not multiply them. */
  private retryLater(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.campaign(), (this.settings.ttlS * 1000) / 2);
  }
}

/** Epochs a leader may start within one term: its epochs are `[term × this, (term + 1) × this)`. */
export const EPOCHS_PER_TERM = 2 ** 20;
