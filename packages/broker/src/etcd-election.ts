import { Etcd3, type Lease, type Watcher } from 'etcd3';
import type { Logger } from '@brainer/protocol';

export interface ElectionSettings {
  /** etcd's client URLs, such as http://127.0.0.1:2379. */
  hosts: readonly string[];
  /** Brokers of one cluster campaign under the same name. */
  cluster: string;
  /** The TTL of the leader's etcd lease, in seconds. */
  ttlS: number;
  /** How long a read lease this broker grants lasts, in ms (`leaseMs`). */
  readLeaseMs: number;
  now: () => number;
  logger: Logger;
}

export interface ElectionEvents {
  /**
   * This broker leads, in term `term`: the etcd revision at which its leader key was created. It
   * acknowledges nothing for `holdMs`, until every read lease its predecessors granted has lapsed;
   * undefined when it saw no predecessor (a fresh cluster, or one may have led unseen): a whole read
   * lease then.
   */
  elected(term: number, holdMs: number | undefined): void;
  /** This broker no longer certainly leads. */
  deposed(reason: string): void;
}

/** How often a leader checks that its lease is still certainly alive, in ms. */
const CHECK_MS = 100;

/** What the leader key holds: the leader's endpoint, and how long its read leases outlast its leadership. */
interface LeaderValue {
  endpoint: string;
  /** How long after etcd can expire its lease a read lease it granted may still run, in ms. */
  readLeaseOverhangMs: number;
}

/**
 * Leader election on etcd. Every broker of a cluster tries to create one key,
 * `/brainer/<cluster>/leader`, bound to a lease of its own and holding its endpoint; the one that
 * creates it leads, in the term of the key's creation revision, and the others watch the key and try
 * again once it is gone (the leader's lease expired, or it resigned). A leader counts its lease alive
 * only until the time it sent its last answered keep-alive plus the TTL, less a margin, on its own
 * monotonic clock: etcd cannot expire the key before then, so no two brokers ever both believe
 * they lead. The margin also shortens the wait of the next leader: the key says how long the
 * leader's read leases can outlast the key (`leaseMs` less the margin), and a broker elected after
 * it holds its acknowledgements that long (RELIABILITY.md, invariant 9).
 */
export class EtcdElection {
  private readonly client: Etcd3;
  private readonly key: string;
  private readonly marginMs: number;
  /** The longest read-lease overhang among the leaders seen; undefined until one is seen. */
  private predecessorOverhangMs: number | undefined;
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
    this.client = new Etcd3({ hosts: [...settings.hosts], dialTimeout: 2000 });
    this.key = `/brainer/${settings.cluster}/leader`;
    // A quarter of the TTL: a leader sends a keep-alive every third of it, so it steps down only
    // after a stall of more than TTL − TTL/3 − TTL/4 (830 ms with the default 2 s).
    this.marginMs = Math.max(100, settings.ttlS * 250);
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
      watcher.on('put', (kv) => this.sawLeader(kv.value.toString()));
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

  /**
   * Gives the leadership up, so a standby takes over without waiting out the lease. The caller has
   * sent its last message as leader; the key goes a margin later, as if the lease had run out.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.checkTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.retryWatch);
    const lease = this.lease;
    this.lease = undefined;
    const wasLeading = this.term !== undefined;
    this.term = undefined;
    if (wasLeading) await new Promise((resolve) => setTimeout(resolve, this.marginMs));
    await Promise.allSettled([this.watcher?.cancel(), lease?.revoke()]);
    this.client.close();
  }

  /** How long this broker's read leases can outlast its etcd key: `leaseMs` less the margin. */
  private get overhangMs(): number {
    return Math.max(0, this.settings.readLeaseMs - this.marginMs);
  }

  private sawLeader(raw: string): void {
    const value = parseLeaderValue(raw);
    this.leader = value.endpoint;
    if (value.endpoint === this.endpoint && this.term !== undefined) return;
    const overhang = value.readLeaseOverhangMs ?? this.settings.readLeaseMs;
    this.predecessorOverhangMs = Math.max(this.predecessorOverhangMs ?? 0, overhang);
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
        .then(this.client.put(this.key).value(JSON.stringify(this.ownValue())).lease(leaseId))
        .else(this.client.get(this.key))
        .commit();
      if (this.closed) return;
      if (result.succeeded) {
        this.term = Number(result.header.revision);
        this.leader = this.endpoint;
        const holdMs = this.predecessorOverhangMs;
        this.settings.logger.info('elected leader', { term: this.term, key: this.key, holdMs });
        this.events.elected(this.term, holdMs);
      } else {
        const current = result.responses[0]?.response_range?.kvs[0]?.value.toString();
        if (current !== undefined) this.sawLeader(current);
      }
    } catch (error) {
      this.settings.logger.warn('campaign failed; trying again', { error: String(error) });
      this.retryTimer = setTimeout(() => void this.campaign(), (this.settings.ttlS * 1000) / 2);
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
    // A watch that missed the key's deletion (etcd restarted, a reconnect) must not leave the cluster leaderless.
    if (this.term === undefined && this.leader === undefined && now - this.lastCampaignAt >= this.settings.ttlS * 500) {
      void this.campaign();
    }
  }

  private ownValue(): LeaderValue {
    return { endpoint: this.endpoint, readLeaseOverhangMs: this.overhangMs };
  }

  private stepDown(reason: string, lease: Lease | undefined): void {
    if (lease !== this.lease) return;
    this.lease = undefined;
    // Not before a margin: the last message this broker sent as leader may be as late as now.
    setTimeout(() => void lease?.revoke().catch(() => undefined), this.marginMs);
    if (this.term === undefined) return;
    this.term = undefined;
    this.validUntil = -Infinity;
    this.settings.logger.warn('stepping down as leader', { reason });
    this.events.deposed(reason);
    if (!this.closed) this.retryTimer = setTimeout(() => void this.campaign(), (this.settings.ttlS * 1000) / 2);
  }
}

/** The leader key's value; an endpoint alone (another tool wrote it) says nothing of read leases. */
function parseLeaderValue(raw: string): { endpoint: string; readLeaseOverhangMs?: number } {
  try {
    const value = JSON.parse(raw) as Partial<LeaderValue>;
    if (typeof value.endpoint === 'string') {
      const overhang = value.readLeaseOverhangMs;
      return { endpoint: value.endpoint, ...(typeof overhang === 'number' && overhang >= 0 ? { readLeaseOverhangMs: overhang } : {}) };
    }
  } catch {
    // Not JSON: an endpoint alone.
  }
  return { endpoint: raw };
}

/** Epochs a leader may start within one term: its epochs are `[term × this, (term + 1) × this)`. */
export const EPOCHS_PER_TERM = 2 ** 20;
