import { Etcd3, type Lease, type Watcher } from 'etcd3';
import type { Logger } from '@brainer/protocol';
import { encodeLeaderValue, parseLeaderValue, type LeaderValue } from './leader-key.js';

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

/** What a broker elected after a leader it saw learned from that leader's key. */
export interface Takeover {
  /** How long to acknowledge nothing: until every read lease a predecessor granted has lapsed. */
  holdMs: number;
  /** The nodes ready under the last predecessor, whose registrations to wait for; undefined if it named none. */
  nodes: readonly string[] | undefined;
}

export interface ElectionEvents {
  /**
   * This broker leads, in term `term`: the etcd revision at which its leader key was created.
   * `takeover` is undefined when it saw no predecessor (a fresh cluster, or one may have led unseen):
   * it then waits a whole read lease and its start-up wait.
   */
  elected(term: number, takeover: Takeover | undefined): void;
  /** This broker no longer certainly leads. */
  deposed(reason: string): void;
}

/** How often a leader checks that its lease is still certainly alive, in ms. */
const CHECK_MS = 100;
/** Added to the read-lease overhang a leader writes in its key: the hold it asks of the next leader has room to spare. */
const OVERHANG_SLACK_MS = 100;

/**
 * Leader election on etcd. Every broker of a cluster tries to create one key,
 * `/brainer/<cluster>/leader`, bound to a lease of its own (`leader-key.ts` says what it holds);
 * the one that creates it leads, in the term of the key's creation revision, and the others watch
 * the key and try again once it is gone (the leader's lease expired, or it resigned).
 *
 * A leader counts its lease alive only until the time it sent its last answered keep-alive plus
 * the TTL, less a margin M, on its own monotonic clock: etcd cannot expire the key before then, so
 * no two brokers ever both believe they lead. M also shortens the next leader's wait: the key says
 * how long the leader's read leases can outlast the key (`leaseMs` − M, plus some slack), and a
 * broker elected after it holds its acknowledgements that long (RELIABILITY.md, invariant 9).
 * Keep-alives go every eighth of the TTL, so a leader steps down only after a stall of about
 * TTL − TTL/8 − M.
 */
export class EtcdElection {
  private readonly client: Etcd3;
  private readonly key: string;
  private readonly marginMs: number;
  /** The longest read-lease overhang among the leaders seen; undefined until one is seen. */
  private predecessorOverhangMs: number | undefined;
  /** The nodes the last leader seen named as ready. */
  private predecessorNodes: readonly string[] | undefined;
  private lease: Lease | undefined;
  /** The id of `lease`, as etcd tells it in a key's `lease`. */
  private ownLeaseId: string | undefined;
  private watcher: Watcher | undefined;
  private endpoint = '';
  private term: number | undefined;
  private validUntil = -Infinity;
  /** The nodes ready under this leader, as last written in its key (the last set that was not empty). */
  private readyNodes: readonly string[] = [];
  private publishing = false;
  private publishAgain = false;
  private campaigning = false;
  private lastCampaignAt = -Infinity;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryWatch: NodeJS.Timeout | undefined;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  /** A lease given up, revoked a margin after this broker's last send as its leader. */
  private pendingRevoke: { lease: Lease; at: number; timer: NodeJS.Timeout } | undefined;
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
    // A quarter of the TTL (500 ms with the default 2 s): room for etcd's answers to come late.
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

  /**
   * The nodes ready under this leader now: written in its key (only while the key is still this
   * leader's), so that a broker elected next knows whose registrations to wait for.
   */
  publishReadyNodes(ids: readonly string[]): void {
    // None ready (all died, or not yet): the last ones named are still whose data the next leader wants.
    if (ids.length === 0 || sameIds(ids, this.readyNodes)) return;
    this.readyNodes = [...ids];
    if (this.term !== undefined) void this.publish();
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
    clearInterval(this.keepaliveTimer);
    if (this.term !== undefined) this.giveUp(this.lease);
    else void this.lease?.revoke().catch(() => undefined);
    this.lease = undefined;
    this.term = undefined;
    const pending = this.pendingRevoke;
    if (pending) {
      clearTimeout(pending.timer);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, pending.at - this.settings.now())));
    }
    await Promise.allSettled([this.watcher?.cancel(), pending?.lease.revoke()]);
    this.client.close();
  }

  private async watchLeader(): Promise<void> {
    try {
      const watcher = await this.client.watch().key(this.key).create();
      if (this.closed) return void watcher.cancel();
      this.watcher = watcher;
      watcher.on('put', (kv) => this.sawLeader(kv.value.toString(), String(kv.lease)));
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

  /** How long this broker's read leases can outlast its etcd key: `leaseMs` less the margin, and some slack. */
  private get overhangMs(): number {
    return Math.max(0, this.settings.readLeaseMs - this.marginMs) + OVERHANG_SLACK_MS;
  }

  /** The leader key's value `raw`, bound to lease `leaseId`: a predecessor's, unless the lease is this broker's. */
  private sawLeader(raw: string, leaseId: string | undefined): void {
    const value = parseLeaderValue(raw);
    this.leader = value.endpoint;
    // Its own key (the watch may tell of it before the campaign's answer does) is no predecessor.
    if (leaseId !== undefined && leaseId === this.ownLeaseId) return;
    const overhang = value.readLeaseOverhangMs ?? this.settings.readLeaseMs;
    this.predecessorOverhangMs = Math.max(this.predecessorOverhangMs ?? 0, overhang);
    this.predecessorNodes = value.nodes;
  }

  private async campaign(): Promise<void> {
    if (this.closed || this.campaigning || this.term !== undefined) return;
    this.campaigning = true;
    this.lastCampaignAt = this.settings.now();
    try {
      const lease = await this.freshLease();
      const leaseId = await lease.grant();
      this.ownLeaseId = String(leaseId);
      const result = await this.client
        .if(this.key, 'Create', '==', 0)
        .then(this.client.put(this.key).value(encodeLeaderValue(this.ownValue())).lease(leaseId))
        .else(this.client.get(this.key))
        .commit();
      if (this.closed) return;
      if (result.succeeded) {
        this.term = Number(result.header.revision);
        this.leader = this.endpoint;
        this.keepaliveTimer = setInterval(() => this.keepAlive(lease), (this.settings.ttlS * 1000) / 8);
        const takeover = this.takeover();
        this.settings.logger.info('elected leader', { term: this.term, key: this.key, ...takeover });
        this.events.elected(this.term, takeover);
        // Nodes may have become ready between the value's encoding and now.
        void this.publish();
      } else {
        const current = result.responses[0]?.response_range?.kvs[0];
        if (current !== undefined) this.sawLeader(current.value.toString(), String(current.lease));
      }
    } catch (error) {
      this.settings.logger.warn('campaign failed; trying again', { error: String(error) });
      this.retryLater();
    } finally {
      this.campaigning = false;
    }
  }

  /** What a broker elected now learned from the leaders it saw; undefined when it saw none. */
  private takeover(): Takeover | undefined {
    if (this.predecessorOverhangMs === undefined) return undefined;
    // Its own overhang too: brokers configured apart, or a put the watch missed, must not shorten the hold.
    const nodes = this.predecessorNodes?.length ? this.predecessorNodes : undefined;
    return { holdMs: Math.max(this.predecessorOverhangMs, this.overhangMs), nodes };
  }

  /** Writes the ready nodes in the key, if the key is still this leader's (created in its term). */
  private async publish(): Promise<void> {
    if (this.publishing) return void (this.publishAgain = true);
    this.publishing = true;
    try {
      do {
        this.publishAgain = false;
        const term = this.term;
        const lease = this.lease;
        if (term === undefined || lease === undefined || this.closed) return;
        const leaseId = await lease.grant();
        await this.client
          .if(this.key, 'Create', '==', term)
          .then(this.client.put(this.key).value(encodeLeaderValue(this.ownValue())).lease(leaseId))
          .commit();
      } while (this.publishAgain);
    } catch (error) {
      this.settings.logger.warn('could not write the ready nodes in the leader key', { error: String(error) });
    } finally {
      this.publishing = false;
    }
  }

  /**
   * A lease of this broker's own. One that was lost, or that this broker no longer counts alive for
   * a margin more (its keep-alives went unanswered), is replaced: winning with it would only mean
   * stepping down again at once.
   */
  private async freshLease(): Promise<Lease> {
    const current = this.lease;
    if (current && !current.revoked() && this.validUntil - this.settings.now() > this.marginMs) return current;
    if (current) void current.revoke().catch(() => undefined);
    const sentAt = this.settings.now();
    const lease = this.client.lease(this.settings.ttlS, { autoKeepAlive: true });
    this.lease = lease;
    // When each keep-alive of this lease still unanswered was sent; a lease given up counts for nothing.
    const sent: number[] = [];
    lease.on('keepaliveFired', () => sent.push(this.settings.now()));
    lease.on('keepaliveSucceeded', () => this.renewedAt(lease, sent.shift()));
    // A failed stream ends the keep-alives sent on it: none of them will be answered.
    lease.on('keepaliveFailed', () => (sent.length = 0));
    lease.on('lost', (error) => this.stepDown(`etcd lease lost: ${String(error)}`, lease));
    await lease.grant();
    this.renewedAt(lease, sentAt);
    return lease;
  }

  /** A keep-alive of a leader's own, between the lease's, so that a late answer or a short stall does not depose it. */
  private keepAlive(lease: Lease): void {
    if (lease !== this.lease || this.term === undefined) return;
    const sentAt = this.settings.now();
    lease.keepaliveOnce().then(
      () => this.renewedAt(lease, sentAt),
      () => undefined,
    );
  }

  private renewedAt(lease: Lease, sentAt: number | undefined): void {
    if (lease !== this.lease || sentAt === undefined) return;
    this.validUntil = Math.max(this.validUntil, sentAt + this.settings.ttlS * 1000 - this.marginMs);
  }

  /** Steps down at once if this broker leads on a lease it no longer counts alive (a timer may not have run yet). */
  checkLease(): void {
    const now = this.settings.now();
    if (this.term !== undefined && now >= this.validUntil) this.stepDown('the etcd lease was not renewed in time', this.lease);
    // A watch that missed the key's deletion (etcd restarted, a reconnect, a partition) must not leave the
    // cluster leaderless: such a watch still names the old leader, so a standby that has not campaigned
    // for a TTL campaigns again regardless.
    if (this.term === undefined && now - this.lastCampaignAt >= this.settings.ttlS * 1000) {
      void this.campaign();
    }
  }

  private ownValue(): LeaderValue {
    // Until nodes are ready under this leader, its predecessor's are the ones whose data counts.
    const nodes = this.readyNodes.length > 0 ? this.readyNodes : this.predecessorNodes;
    return { endpoint: this.endpoint, readLeaseOverhangMs: this.overhangMs, ...(nodes ? { nodes: [...nodes] } : {}) };
  }

  private stepDown(reason: string, lease: Lease | undefined): void {
    if (lease !== this.lease) return;
    this.lease = undefined;
    clearInterval(this.keepaliveTimer);
    this.giveUp(lease);
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

  /** Revokes `lease` a margin from now: the last message this broker sent as leader may be as late as now. */
  private giveUp(lease: Lease | undefined): void {
    if (lease === undefined) return;
    const at = this.settings.now() + this.marginMs;
    const timer = setTimeout(() => {
      if (this.pendingRevoke?.lease === lease) this.pendingRevoke = undefined;
      void lease.revoke().catch(() => undefined);
    }, this.marginMs);
    this.pendingRevoke = { lease, at, timer };
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Epochs a leader may start within one term: its epochs are `[term × this, (term + 1) × this)`. */
export const EPOCHS_PER_TERM = 2 ** 20;
