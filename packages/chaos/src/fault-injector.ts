import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Brainer } from '@brainer/client';
import { DEFAULT_LIMITS } from '@brainer/protocol';
import { brokerRole, waitFor } from '@brainer/test-utils';
import { sendBigValues, type BigValueBurst } from './big-values.js';
import { abuseGateway, type GatewayAbuse } from './gateway-abuse.js';
import { becameReady, findJoins, joinRestartedForLostSource, type JoinStart } from './broker-log.js';
import { etcdRaftLeader, type ChaosCluster } from './chaos-cluster.js';
import { History } from './history.js';
import { damageLog, LOG_DAMAGE_KINDS, type LogDamageKind } from './log-damage.js';
import type { Prng } from './prng.js';
import { skewedClockEnv } from './skewed-clock.js';
import { mountError, mountTmpfs, resizeTmpfs } from './tmpfs.js';

export const FAULT_KINDS = [
  'node-kill',
  'source-kill',
  'broker-kill',
  'node-pause',
  'cluster-kill',
  'source-pause',
  'broker-pause',
  'big-values',
  'disk-full',
  'log-damage',
  'clock-skew',
  'gateway-abuse',
  'leader-kill',
  'leader-pause',
  'etcd-member-kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The kinds that need nodes with data directories: killing every process at once, a full disk, a damaged log. */
export const PERSIST_FAULT_KINDS: readonly FaultKind[] = ['cluster-kill', 'disk-full', 'log-damage'];
/** The kinds that need several brokers elected on etcd: the leader killed or stopped past its lease, an etcd member killed. */
export const ELECTED_FAULT_KINDS: readonly FaultKind[] = ['leader-kill', 'leader-pause', 'etcd-member-kill'];
/**
 * The kinds about one broker alone: restarted at once on its endpoint, or stopped for less than a
 * lease while a node joins. With several brokers, leader-kill and leader-pause take their place.
 */
export const SINGLE_BROKER_FAULT_KINDS: readonly FaultKind[] = ['broker-kill', 'broker-pause'];
/** The kinds a cluster of one broker whose nodes keep their data in memory can be given. */
export const MEMORY_FAULT_KINDS: readonly FaultKind[] = defaultFaultKinds({ persist: false, elected: false });

/** What a cluster is: nodes with data directories or not, one broker or several elected on etcd. */
export interface ClusterMode {
  persist: boolean;
  elected: boolean;
}

/** Every kind the cluster can be given: the default schedule draws from them all. */
export function defaultFaultKinds(mode: ClusterMode): FaultKind[] {
  return FAULT_KINDS.filter(
    (kind) =>
      (mode.persist || !PERSIST_FAULT_KINDS.includes(kind)) &&
      !(mode.elected ? SINGLE_BROKER_FAULT_KINDS : ELECTED_FAULT_KINDS).includes(kind),
  );
}

/** Why the cluster cannot be given `kinds`, or undefined when it can. */
export function refusedFaultKinds(kinds: readonly FaultKind[], mode: ClusterMode): string | undefined {
  const needPersist = kinds.filter((kind) => PERSIST_FAULT_KINDS.includes(kind));
  if (!mode.persist && needPersist.length > 0) {
    return `${needPersist.join(', ')} need persist: those faults are about nodes that keep their data in data directories`;
  }
  const single = kinds.filter((kind) => SINGLE_BROKER_FAULT_KINDS.includes(kind));
  if (mode.elected && single.length > 0) {
    return `${single.join(', ')} are about one broker alone; with several brokers, leader-kill and leader-pause take their place`;
  }
  const elected = kinds.filter((kind) => ELECTED_FAULT_KINDS.includes(kind));
  if (!mode.elected && elected.length > 0) return `${elected.join(', ')} need several brokers elected on etcd (brokers 2 or more)`;
  return undefined;
}

/** source-pause: how long every ready node stays stopped during a join, in ms: past the heartbeat liveness window (3 × 500 ms). */
export const SOURCE_PAUSE_MS = 3000;
/** broker-pause: how long the broker stays stopped during a join, in ms. */
export const BROKER_PAUSE_MS = 2500;
/** big-values: values sent in one tick, each at the cluster's value limit. */
export const BIG_VALUES_BURST = 8;
/** disk-full: room on the small disk beyond the data log copied onto it, in bytes. */
export const DISK_HEADROOM_BYTES = 256 * 1024;
/** disk-full: how long the writers get to fill the disk, in ms. */
export const DISK_FILL_TIMEOUT_MS = 20_000;
/** disk-full: the disk's size once room is given back, in bytes. */
export const DISK_ROOMY_BYTES = 1024 * 1024 * 1024;
/** clock-skew: the node's wall clock offset, in faketime's syntax. */
export const CLOCK_OFFSET = '+30s';
/** leader-pause: how long the leader stays stopped past its etcd lease's TTL, in ms (a random value in this range). */
export const LEADER_PAUSE_PAST_TTL_MS: readonly [number, number] = [1000, 2000];
/** leader-pause: writes sent to the stopped leader alone, once each, which it must never acknowledge. */
export const PINNED_WRITES = 4;
/** leader-pause: how long those writes wait for an answer after the SIGCONT, in ms (then they count as ERR_TIMEOUT: unanswered). */
export const PINNED_ANSWER_MS = 5000;
/** etcd-member-kill: how long the member stays down, in ms (a random value in this range). */
export const ETCD_DOWN_MS: readonly [number, number] = [2000, 6000];
/** etcd-member-kill: the chance of aiming at etcd's own raft leader, when it can be told. */
export const ETCD_LEADER_CHANCE = 0.5;
/** The process name, in the history, of the writes sent to a stopped leader alone. */
export const PINNED_PROCESS = 'pinned';

/** One fault as injected. Times are on the history clock, in ms. */
export interface Fault {
  kind: FaultKind;
  /** When the disruptive signal was sent: the kill -9, or the SIGSTOP. */
  at: number;
  /** The node killed or stopped, `broker`, or `cluster` (every process). */
  target: string;
  /** source-kill, source-pause, broker-pause: the node whose join the fault hit. */
  joiner?: string;
  /** Those: the broker had not marked the joiner ready when the fault struck. */
  midJoin?: boolean;
  /** source-kill: the broker logged that it restarted the join because the source was lost. */
  joinRestarted?: boolean;
  /** node-pause, source-pause, broker-pause: how long the target stayed stopped. */
  pauseMs?: number;
  /** big-values: the burst and its answers. */
  bigValues?: BigValueBurst;
  /** gateway-abuse: what the gateway got and answered, and the nodes the broker lost meanwhile (must be 0). */
  gatewayAbuse?: GatewayAbuse;
  nodesLost?: number;
  /** disk-full: the small disk's size, in bytes, and whether the node reported it full (ENOSPC) in time. */
  diskBytes?: number;
  diskFilled?: boolean;
  /** log-damage: what was done to the log, and its size before, in bytes. */
  damage?: LogDamageKind;
  logBytes?: number;
  /** clock-skew: the node's wall clock offset. */
  clockOffset?: string;
  /** broker-kill and cluster-kill: from the kill to the new broker's ready line. */
  brokerRestartMs?: number;
  /** leader-kill, leader-pause: the broker that led after the fault (`target` led before). */
  newLeader?: string;
  /** leader-kill, leader-pause: from the kill -9 or SIGSTOP to another broker saying it leads; null if none did in time. */
  takeoverMs?: number | null;
  /** leader-kill: the role the killed broker, started again on its endpoint, says it has (must be `standby`). */
  restartedRole?: string;
  /** leader-pause: from the SIGCONT to the woken broker saying it stands by; null if it did not in time. */
  steppedDownMs?: number | null;
  /**
   * leader-pause: writes sent once each to the stopped leader alone (by a client that neither follows
   * the leader nor retries), by outcome: `ok`, or the error code (`ERR_NOT_LEADER`: answered as a
   * standby; `ERR_TIMEOUT`: left unanswered). None may be `ok`.
   */
  pinnedWrites?: Record<string, number>;
  /** etcd-member-kill: whether the member killed led etcd's raft group (absent: that could not be told). */
  etcdRaftLeader?: boolean;
  /** etcd-member-kill: how long the member stayed down, in ms. */
  downMs?: number;
  /**
   * etcd-member-kill: the broker that led after the member was back, and whether the leadership
   * changed meanwhile: another broker, or the same one in a new term (it should not).
   */
  leaderAfter?: string;
  leaderChanged?: boolean;
  /**
   * etcd-member-kill: the longest time no write was acknowledged from the kill to the next fault
   * (or the end of the workload); set from the history after the run.
   */
  writeGapMs?: number;
  /** From the restart (or SIGCONT) of each node hit to it being ready again; null if it never was. */
  rejoinMs?: Record<string, number | null>;
  /** From `at` to the first write invoked after it completing; set from the history after the run. */
  recoveryMs?: number | null;
}

/** How long a broker started after a cluster-kill waits to hear from every node, in ms. */
const CLUSTER_RESTART_WAIT_MS = 5000;

export interface FaultInjectorOptions {
  /** Stop starting faults at this time (history clock). */
  until: number;
  /** Pause before each fault, in ms: a random value in this range. Default [500, 2000]. */
  gapMs?: readonly [number, number];
  /** How long a node stays stopped, in ms: a random value in this range. Default [800, 4000]. */
  pauseMs?: readonly [number, number];
  /** The kinds to draw from. Default: MEMORY_FAULT_KINDS. */
  kinds?: readonly FaultKind[];
  /** Inject every kind once first, in a random order, even past `until`. Default true. */
  coverAllKinds?: boolean;
  /** How long to wait for the cluster to have the ready nodes a fault needs, in ms. Default 30,000. */
  readyTimeoutMs?: number;
  /** Where progress lines go. Default: nowhere. */
  log?: (line: string) => void;
  /** The PATH that clock-skew looks for faketime on. Default: none, so clock-skew is skipped. */
  path?: string;
  /** big-values: values sent in one tick. Default BIG_VALUES_BURST. */
  bigValues?: number;
  /** With several brokers: the leader's etcd lease TTL, in s, which leader-pause outlasts. Default 2. */
  leaseTtlS?: number;
  /** Where leader-pause records the writes it sends to the stopped leader (process `pinned`). Default: nowhere. */
  history?: History;
  /**
   * Called after each fault once every node it hit is back (or its wait timed out), before the
   * next gap: the live-key census.
   */
  afterFault?: (fault: Fault, index: number) => Promise<void>;
}

/**
 * Injects faults one after another on a schedule drawn from a seeded generator: kill -9 of a node
 * (restarted with the same id: empty, or on its data directory in a persistent cluster), kill -9 of
 * the snapshot source serving a join, kill -9 of the broker (restarted on the same endpoint), SIGSTOP
 * of a node for a while, and, in a persistent cluster, kill -9 of every process at once; with
 * several brokers, kill -9 or SIGSTOP of the leading broker and kill -9 of an etcd member. Before
 * each fault it waits until the nodes it must leave standing are ready, so that at least one node
 * that holds the data always survives, and with several brokers it finds the one that leads.
 */
export class FaultInjector {
  readonly faults: Fault[] = [];
  /** Faults that could not be injected, and why. */
  readonly skipped: { kind: FaultKind; reason: string }[] = [];
  /** Availability failures: the cluster or a node not ready again in time. */
  readonly problems: string[] = [];
  private readonly background = new Set<Promise<void>>();
  private readonly log: (line: string) => void;

  constructor(
    private readonly cluster: ChaosCluster,
    private readonly prng: Prng,
    private readonly now: () => number,
    private readonly options: FaultInjectorOptions,
  ) {
    this.log = options.log ?? (() => undefined);
  }

  /** Runs the schedule until `until` (and, with coverAllKinds, until each kind has been injected). */
  async run(): Promise<void> {
    const kinds = this.options.kinds ?? MEMORY_FAULT_KINDS;
    const pending: FaultKind[] = (this.options.coverAllKinds ?? true) ? this.prng.shuffle(kinds) : [];
    const [gapMin, gapMax] = this.options.gapMs ?? [500, 2000];
    while (pending.length > 0 || this.now() < this.options.until) {
      await delay(this.prng.int(gapMin, gapMax));
      const kind = pending.shift() ?? this.prng.pick(kinds);
      const injected = await this.inject(kind);
      if (injected && this.options.afterFault) {
        await this.settle();
        await this.options.afterFault(this.faults.at(-1)!, this.faults.length - 1);
      }
      // A kind that could not be injected on its first turn gets another, at most a few times.
      if (!injected && this.skipped.filter((s) => s.kind === kind).length < 3 && (this.options.coverAllKinds ?? true)) {
        if (!this.faults.some((f) => f.kind === kind)) pending.push(kind);
      }
    }
  }

  /** Waits for every node hit to be ready again (or for its wait to time out). */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  private async inject(kind: FaultKind): Promise<boolean> {
    // With several brokers, the faults that read the broker's log read the leader's.
    if (this.cluster.elected && !(await this.leaderFound(kind))) return false;
    switch (kind) {
      case 'node-kill':
        return this.nodeKill();
      case 'source-kill':
        return this.sourceKill();
      case 'broker-kill':
        return this.brokerKill();
      case 'node-pause':
        return this.nodePause();
      case 'cluster-kill':
        return this.clusterKill();
      case 'source-pause':
        return this.sourcePause();
      case 'broker-pause':
        return this.brokerPause();
      case 'big-values':
        return this.bigValues();
      case 'disk-full':
        return this.diskFull();
      case 'log-damage':
        return this.logDamage();
      case 'clock-skew':
        return this.clockSkew();
      case 'gateway-abuse':
        return this.gatewayAbuse();
      case 'leader-kill':
        return this.leaderKill();
      case 'leader-pause':
        return this.leaderPause();
      case 'etcd-member-kill':
        return this.etcdMemberKill();
    }
  }

  /** Finds the broker that leads now; records a problem and skips the fault when none does in time. */
  private async leaderFound(kind: FaultKind): Promise<boolean> {
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    try {
      await this.cluster.findLeader(timeoutMs);
      return true;
    } catch (error) {
      this.problems.push(`${kind}: no single broker leading within ${timeoutMs} ms (${(error as Error).message})`);
      this.skipped.push({ kind, reason: 'no single broker leading' });
      return false;
    }
  }

  /**
   * Waits for a broker other than the one of `slot` to say it leads; sets the fault's `takeoverMs`
   * and `newLeader`, or records a problem.
   */
  private async takeover(fault: Fault, slot: number): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    try {
      const next = await this.cluster.findLeader(timeoutMs, slot);
      fault.takeoverMs = Math.round(this.now() - fault.at);
      fault.newLeader = this.cluster.brokerName(next);
    } catch (error) {
      fault.takeoverMs = null;
      this.problems.push(`${fault.kind}: no other broker took over within ${timeoutMs} ms (${(error as Error).message})`);
    }
  }

  /** In the background: how long each live node takes, from the fault, to be ready under the broker that leads now. */
  private trackNodesUnderNewLeader(fault: Fault): void {
    for (const id of this.cluster.nodeIds) {
      if (!this.cluster.isPaused(id) && !this.cluster.node(id).hasExited) this.trackRejoin(fault, id, fault.at);
    }
  }

  /**
   * kill -9 the leading broker; a standby must take over. The killed one is then started again on
   * its endpoint, as a new standby, so that the next faults still find two brokers.
   */
  private async leaderKill(): Promise<boolean> {
    if (!(await this.readySurvivors('leader-kill', 1))) return false;
    const slot = await this.cluster.findLeader(this.options.readyTimeoutMs ?? 30_000);
    const name = this.cluster.brokerName(slot);
    const fault: Fault = { kind: 'leader-kill', at: this.now(), target: name };
    this.faults.push(fault);
    this.log(`fault: kill -9 the leader, ${name}`);
    await this.cluster.killBroker(slot);
    await this.takeover(fault, slot);
    this.trackNodesUnderNewLeader(fault);
    this.log(
      `${fault.newLeader ?? 'no broker'} leads${fault.takeoverMs == null ? '' : `, ${fault.takeoverMs} ms after the kill`}; starting ${name} again`,
    );
    const restarted = await this.cluster.startBroker([], slot);
    const role = await waitFor(() => brokerRole(restarted.endpoint), {
      timeoutMs: 10_000,
      intervalMs: 100,
      description: `${name} answering stats`,
    }).catch(() => 'no answer');
    fault.restartedRole = role;
    if (role !== 'standby')
      this.problems.push(
        `leader-kill: ${name}, started again while ${fault.newLeader ?? 'no broker'} led, says it is ${role}, not standby`,
      );
    return true;
  }

  /**
   * SIGSTOP the leading broker for its lease's TTL and 1–2 s more, while a client that talks to it
   * alone sends it writes; then SIGCONT it. A standby must take over meanwhile, and the woken broker
   * must step down (it judges its lease by its own clock) and acknowledge none of those writes.
   */
  private async leaderPause(): Promise<boolean> {
    if (!(await this.readySurvivors('leader-pause', 1))) return false;
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    const slot = await this.cluster.findLeader(timeoutMs);
    const name = this.cluster.brokerName(slot);
    const broker = this.cluster.brokers[slot]!;
    const ttlMs = (this.options.leaseTtlS ?? 2) * 1000;
    const pauseMs = ttlMs + this.prng.int(...LEADER_PAUSE_PAST_TTL_MS);
    // It stays with this broker (no following the leader) and sends each write once, so that each
    // waits in the stopped broker's socket and whatever answers it comes from the woken broker.
    const pinned = new Brainer(broker.endpoint, {
      timeoutMs: pauseMs + PINNED_ANSWER_MS,
      reads: 'broker',
      followLeader: false,
      retry: false,
    });
    try {
      await pinned.connect();
    } catch (error) {
      await pinned.close();
      this.skipped.push({ kind: 'leader-pause', reason: `the leader did not answer a client of its own: ${(error as Error).message}` });
      return false;
    }
    const fault: Fault = { kind: 'leader-pause', at: this.now(), target: name, pauseMs };
    const index = this.faults.push(fault) - 1;
    this.cluster.pauseBroker(slot);
    this.log(`fault: SIGSTOP the leader, ${name}, for ${pauseMs} ms (lease TTL ${ttlMs} ms)`);
    try {
      // Recorded in the history, so that the checker judges them too; each settles with its outcome.
      const history = this.options.history ?? new History(this.now);
      const outcomes = Promise.all(
        Array.from({ length: PINNED_WRITES }, async (_, i) => {
          const key = `pinned:${index}:${i}`;
          const value = `${PINNED_PROCESS}:${index}:${i}`;
          const op = await history.set(PINNED_PROCESS, () => pinned.set(key, value), key, value);
          return op.outcome === 'ok' ? 'ok' : (op.error ?? op.outcome);
        }),
      );
      const takeover = this.takeover(fault, slot);
      // The length of the stop is the fault itself, not a wait for readiness.
      await delay(pauseMs);
      this.cluster.resumeBroker(slot);
      const resumedAt = this.now();
      this.log(`SIGCONT ${name}`);
      await takeover;
      this.trackNodesUnderNewLeader(fault);
      fault.steppedDownMs = await waitFor(
        async () => ((await brokerRole(broker.endpoint)) === 'standby' ? { ms: Math.round(this.now() - resumedAt) } : undefined),
        { timeoutMs: 10_000, intervalMs: 50, description: `${name} standing by after its SIGCONT` },
      ).then(
        ({ ms }) => ms,
        (error: unknown) => {
          this.problems.push(`leader-pause: ${(error as Error).message}`);
          return null;
        },
      );
      fault.pinnedWrites = {};
      for (const outcome of await outcomes) fault.pinnedWrites[outcome] = (fault.pinnedWrites[outcome] ?? 0) + 1;
      this.log(
        `${fault.newLeader ?? 'no broker'} took over ${fault.takeoverMs ?? '-'} ms after the SIGSTOP; ${name} stood by ${fault.steppedDownMs ?? '-'} ms after its SIGCONT; its writes: ${JSON.stringify(fault.pinnedWrites)}`,
      );
      const acknowledged = fault.pinnedWrites.ok ?? 0;
      if (acknowledged > 0)
        this.problems.push(`leader-pause: ${name}, woken after its lease ran out, acknowledged ${acknowledged} writes sent to it alone`);
    } finally {
      await pinned.close();
    }
    return true;
  }

  /**
   * kill -9 one etcd member (etcd's raft leader half of the time, when it can be told), and start it
   * again a few seconds later on its data. The other two keep a quorum: nothing changes for Brainer,
   * and the broker that led before still leads.
   */
  private async etcdMemberKill(): Promise<boolean> {
    const members = this.cluster.etcdMembers;
    if (!(await this.readySurvivors('etcd-member-kill', 1))) return false;
    if (members.length < 3 || members.some((member) => !member.running)) {
      this.skipped.push({ kind: 'etcd-member-kill', reason: 'it needs 3 or more etcd members, all running' });
      return false;
    }
    const before = this.cluster.leaderName;
    const termBefore = await this.cluster.leaderTerm();
    const raftLeader = await etcdRaftLeader(members);
    const aimed = raftLeader !== undefined && this.prng.chance(ETCD_LEADER_CHANCE);
    const victim = aimed ? raftLeader : this.prng.int(0, members.length - 1);
    const member = members[victim]!;
    const downMs = this.prng.int(...ETCD_DOWN_MS);
    const fault: Fault = { kind: 'etcd-member-kill', at: this.now(), target: `etcd${victim + 1}`, downMs };
    if (raftLeader !== undefined) fault.etcdRaftLeader = victim === raftLeader;
    this.faults.push(fault);
    this.log(`fault: kill -9 etcd member ${victim + 1}${fault.etcdRaftLeader ? " (etcd's raft leader)" : ''} for ${downMs} ms`);
    member.kill('SIGKILL');
    // The length of the outage is the fault itself.
    await delay(downMs);
    await waitFor(() => !member.running, { timeoutMs: 5000, intervalMs: 20, description: `etcd member ${victim + 1} gone` }).catch(
      () => undefined,
    );
    try {
      await member.restart(this.options.readyTimeoutMs ?? 30_000);
    } catch (error) {
      this.problems.push(`etcd-member-kill: etcd member ${victim + 1} did not serve again: ${(error as Error).message}`);
      return true;
    }
    try {
      await this.cluster.findLeader(this.options.readyTimeoutMs ?? 30_000);
      fault.leaderAfter = this.cluster.leaderName;
      const termAfter = await this.cluster.leaderTerm();
      // The same broker elected again (it lost its lease meanwhile) is a change too: a new term, a new epoch.
      fault.leaderChanged =
        fault.leaderAfter !== before || (termBefore !== undefined && termAfter !== undefined && termAfter !== termBefore);
      if (fault.leaderChanged) fault.leaderAfter += ` (term ${termAfter ?? '?'}, was ${before} in term ${termBefore ?? '?'})`;
    } catch (error) {
      this.problems.push(
        `etcd-member-kill: no single broker leading after etcd member ${victim + 1} was back (${(error as Error).message})`,
      );
    }
    this.log(
      `etcd member ${victim + 1} serves again; ${fault.leaderAfter ?? 'no broker'} leads${fault.leaderChanged ? ': the leader changed' : ''}`,
    );
    return true;
  }

  /** kill -9 a node (ready or still joining), then start it again with the same id: empty, or on its data directory. */
  private async nodeKill(): Promise<boolean> {
    const ready = await this.readySurvivors('node-kill', 2);
    if (!ready) return false;
    // Any live node may go, as long as a ready one is left.
    const candidates = this.cluster.nodeIds.filter(
      (id) => !this.cluster.isPaused(id) && !this.cluster.node(id).hasExited && ready.some((other) => other !== id),
    );
    const victim = this.prng.pick(candidates);
    const fault: Fault = { kind: 'node-kill', at: this.now(), target: victim };
    this.faults.push(fault);
    this.log(`fault: kill -9 ${victim}`);
    await this.cluster.killNode(victim);
    await this.cluster.startNode(victim);
    this.trackRejoin(fault, victim);
    return true;
  }

  /**
   * kill -9 a ready node and restart it, wait for the broker's `node joining` line naming its
   * snapshot source, and kill -9 that source at once, while it streams.
   */
  private async sourceKill(): Promise<boolean> {
    const join = await this.restartToJoin('source-kill', 3);
    if (!join) return false;
    const { joiner, source, ready, restartedAt } = join;
    const broker = this.cluster.broker;
    const survivors = ready.filter(
      (id) => id !== joiner && id !== source && !this.cluster.isPaused(id) && !this.cluster.node(id).hasExited,
    );
    if (!this.cluster.nodeIds.includes(source) || this.cluster.node(source).hasExited || survivors.length === 0) {
      this.skipped.push({ kind: 'source-kill', reason: `source ${source} is not killable with a ready survivor left` });
      this.trackRejoin({ kind: 'node-kill', at: restartedAt, target: joiner }, joiner);
      return false;
    }
    const cutoff = broker.stderr.length;
    const fault: Fault = { kind: 'source-kill', at: this.now(), target: source, joiner };
    this.faults.push(fault);
    const killed = this.cluster.killNode(source);
    fault.midJoin = !becameReady(broker.stderr.slice(0, cutoff), joiner, join.offset);
    this.log(`fault: kill -9 ${source}, the snapshot source of ${joiner}${fault.midJoin ? ' (mid-join)' : ' (join may have finished)'}`);
    await killed;
    await this.cluster.startNode(source);
    this.trackRejoin(fault, joiner, restartedAt);
    this.trackRejoin(fault, source);
    this.afterRejoins(() => {
      fault.joinRestarted = joinRestartedForLostSource(this.cluster.brokerLog(), joiner, source);
    });
    return true;
  }

  /**
   * SIGSTOP every ready node at once while another streams its snapshot, so that no whole node
   * answers, for longer than the heartbeat liveness window; then SIGCONT them all.
   */
  private async sourcePause(): Promise<boolean> {
    const join = await this.restartToJoin('source-pause', 2);
    if (!join) return false;
    const { joiner, restartedAt } = join;
    const targets = this.cluster.nodeIds.filter((id) => id !== joiner && !this.cluster.isPaused(id) && !this.cluster.node(id).hasExited);
    const cutoff = this.cluster.broker.stderr.length;
    const fault: Fault = { kind: 'source-pause', at: this.now(), target: targets.join(','), joiner, pauseMs: SOURCE_PAUSE_MS };
    this.faults.push(fault);
    const processes = targets.map((id) => this.cluster.node(id));
    // With no whole node present the broker holds writes and reads, and says so as an error: that is the fault's outcome.
    this.cluster.expectErrorLine(this.cluster.broker, /holding writes and reads: no node whose data is whole/);
    for (const id of targets) this.cluster.pauseNode(id);
    fault.midJoin = !becameReady(this.cluster.broker.stderr.slice(0, cutoff), joiner, join.offset);
    this.log(
      `fault: SIGSTOP ${fault.target} for ${SOURCE_PAUSE_MS} ms while ${joiner} joins from ${join.source}${fault.midJoin ? '' : ' (join may have finished)'}`,
    );
    // The length of the stop is the fault itself, not a wait for readiness.
    await delay(SOURCE_PAUSE_MS);
    targets.forEach((id, i) => {
      if (this.cluster.node(id) !== processes[i] || processes[i]!.hasExited) return;
      this.cluster.resumeNode(id);
      this.trackRejoin(fault, id);
    });
    this.log(`SIGCONT ${fault.target}`);
    this.trackRejoin(fault, joiner, restartedAt);
    return true;
  }

  /** SIGSTOP the broker while a node streams its snapshot, then SIGCONT it. */
  private async brokerPause(): Promise<boolean> {
    const join = await this.restartToJoin('broker-pause', 2);
    if (!join) return false;
    const broker = this.cluster.broker;
    const cutoff = broker.stderr.length;
    const fault: Fault = { kind: 'broker-pause', at: this.now(), target: 'broker', joiner: join.joiner, pauseMs: BROKER_PAUSE_MS };
    this.faults.push(fault);
    this.cluster.pauseBroker();
    fault.midJoin = !becameReady(broker.stderr.slice(0, cutoff), join.joiner, join.offset);
    this.log(`fault: SIGSTOP the broker for ${BROKER_PAUSE_MS} ms while ${join.joiner} joins from ${join.source}`);
    await delay(BROKER_PAUSE_MS);
    this.cluster.resumeBroker();
    this.log('SIGCONT the broker');
    this.trackRejoin(fault, join.joiner, join.restartedAt);
    return true;
  }

  /**
   * Once `minimumReady` ready survivors exist: kill -9 one of them and restart it empty (its data
   * directory wiped), so that it joins, and wait for the broker's `node joining` line naming its
   * snapshot source.
   */
  private async restartToJoin(
    kind: FaultKind,
    minimumReady: number,
  ): Promise<(JoinStart & { joiner: string; ready: string[]; restartedAt: number }) | undefined> {
    const ready = await this.readySurvivors(kind, minimumReady);
    if (!ready) return undefined;
    const joiner = this.prng.pick(ready);
    const broker = this.cluster.broker;
    const from = broker.stderr.length;
    this.log(`${kind}: kill -9 ${joiner} so that it joins again`);
    await this.cluster.killNode(joiner);
    const restartedAt = this.now();
    // A node restarted on its data catches up without a snapshot: without them, it streams one.
    await this.cluster.startNode(joiner, { wipe: true });
    try {
      const join = await waitFor(() => findJoins(broker.stderr, joiner, from)[0], {
        timeoutMs: this.options.readyTimeoutMs ?? 30_000,
        intervalMs: 2,
        description: `the broker's join line for ${joiner}`,
      });
      return { ...join, joiner, ready, restartedAt };
    } catch (error) {
      this.problems.push(`${kind}: ${(error as Error).message}`);
      this.trackRejoin({ kind: 'node-kill', at: restartedAt, target: joiner }, joiner);
      return undefined;
    }
  }

  /** Values at the cluster's value limit, several in one tick, from a client of their own. */
  private async bigValues(): Promise<boolean> {
    if (!(await this.readySurvivors('big-values', 1))) return false;
    const count = this.options.bigValues ?? BIG_VALUES_BURST;
    const bytes = DEFAULT_LIMITS.maxValueBytes;
    const fault: Fault = { kind: 'big-values', at: this.now(), target: 'broker' };
    const index = this.faults.push(fault) - 1;
    this.log(`fault: ${count} values of ${bytes} bytes in one tick`);
    fault.bigValues = await sendBigValues(this.cluster.endpoint, `big:${index}:`, count, bytes, 60_000);
    const failed = Object.entries(fault.bigValues.failed).map(([code, n]) => `${n} ${code}`);
    this.log(
      `big values: ${fault.bigValues.acknowledged} of ${count} acknowledged in ${fault.bigValues.burstMs} ms${failed.length > 0 ? `; failed: ${failed.join(', ')}` : ''}`,
    );
    return true;
  }

  /**
   * An abusive client of a gateway, beside the writers: the gateway is a process of its own, so
   * the broker must lose no node over it, and the writers must not notice.
   */
  private async gatewayAbuse(): Promise<boolean> {
    if (!(await this.readySurvivors('gateway-abuse', 1))) return false;
    const broker = this.cluster.broker;
    const from = broker.stderr.length;
    const fault: Fault = { kind: 'gateway-abuse', at: this.now(), target: 'gateway' };
    this.faults.push(fault);
    this.log('fault: an abusive client at a gateway: idle connections, listings, huge bodies and frames, slow bodies');
    fault.gatewayAbuse = await abuseGateway(this.cluster.endpoint);
    fault.nodesLost = (broker.stderr.slice(from).match(/node lost/g) ?? []).length;
    const { answers, idleClosedByServer, idleConnections, gatewayAnswered, burstMs } = fault.gatewayAbuse;
    this.log(
      `gateway abuse: ${burstMs} ms; answers ${JSON.stringify(answers)}; ${idleClosedByServer} of ${idleConnections} idle connections closed; nodes lost ${fault.nodesLost}`,
    );
    if (fault.nodesLost > 0) this.problems.push(`the broker lost ${fault.nodesLost} nodes while a gateway was abused`);
    if (!gatewayAnswered) this.problems.push('the abused gateway did not answer GET /status afterwards');
    if ((answers.timeout ?? 0) + (answers.unanswered ?? 0) + (answers.failed ?? 0) > 0) {
      this.problems.push(`the abused gateway left requests unanswered: ${JSON.stringify(answers)}`);
    }
    return true;
  }

  /**
   * A full disk: kill -9 a ready node, move its data directory onto a tmpfs with little room
   * beyond its log, restart it there with `--fsync always` and let the writers fill it; then give
   * the disk room and restart the node. Skipped where mounting is refused.
   */
  private async diskFull(): Promise<boolean> {
    const dir = this.persistentOnly('disk-full');
    if (dir === undefined) return false;
    const ready = await this.readySurvivors('disk-full', 2);
    if (!ready) return false;
    const victim = this.prng.pick(ready);
    const source = this.cluster.dataDirOf(victim)!;
    const disk = `${join(dir, victim)}.disk${this.faults.length}`;
    await mkdir(disk, { recursive: true });
    try {
      await mountTmpfs(disk, DISK_ROOMY_BYTES);
    } catch (error) {
      const reason = `mounting a tmpfs was refused (${mountError(error)}); disk-full needs root where the host allows mounts`;
      this.skipped.push({ kind: 'disk-full', reason });
      this.log(`disk-full skipped: ${reason}`);
      return false;
    }
    this.cluster.moveDataDir(victim, disk);
    const fault: Fault = { kind: 'disk-full', at: this.now(), target: victim };
    this.faults.push(fault);
    await this.cluster.killNode(victim);
    await cp(source, disk, { recursive: true });
    fault.diskBytes = (await directoryBytes(disk)) + DISK_HEADROOM_BYTES;
    await resizeTmpfs(disk, fault.diskBytes);
    this.log(`fault: ${victim} restarted on a ${fault.diskBytes}-byte disk with --fsync always`);
    try {
      const node = await this.cluster.startNode(victim, { args: ['--fsync', 'always'] });
      this.cluster.expectTrouble(node, true);
      await waitFor(() => node.hasExited || /ENOSPC|no space/i.test(node.stderr), {
        timeoutMs: DISK_FILL_TIMEOUT_MS,
        intervalMs: 50,
      }).catch(() => undefined);
      fault.diskFilled = /ENOSPC|no space/i.test(node.stderr);
    } catch (error) {
      // It may fill the disk before it is even ready.
      fault.diskFilled = /ENOSPC|no space/i.test(String(error));
    }
    this.log(`${victim}: disk ${fault.diskFilled ? 'full' : 'not filled in time'}; giving room back and restarting it`);
    await resizeTmpfs(disk, DISK_ROOMY_BYTES);
    const restartedAt = this.now();
    if (!this.cluster.node(victim).hasExited) await this.cluster.killNode(victim);
    await this.cluster.startNode(victim);
    this.trackRejoin(fault, victim, restartedAt);
    return true;
  }

  /** kill -9 a ready node, flip 8 bytes in the middle of its log, cut it in half, or delete it (keeping node-id), and restart it. */
  private async logDamage(): Promise<boolean> {
    if (this.persistentOnly('log-damage') === undefined) return false;
    const ready = await this.readySurvivors('log-damage', 2);
    if (!ready) return false;
    const victim = this.prng.pick(ready);
    const damage = this.prng.pick(LOG_DAMAGE_KINDS);
    const fault: Fault = { kind: 'log-damage', at: this.now(), target: victim, damage };
    this.faults.push(fault);
    await this.cluster.killNode(victim);
    fault.logBytes = await damageLog(this.cluster.dataDirOf(victim)!, damage);
    this.log(`fault: kill -9 ${victim} and ${damage} its ${fault.logBytes}-byte log`);
    const node = await this.cluster.startNode(victim);
    // A node that finds its log damaged says so as an error.
    this.cluster.expectTrouble(node, false);
    this.trackRejoin(fault, victim);
    return true;
  }

  /** kill -9 a ready node and restart it with its wall clock 30 s ahead (libfaketime, for that process only). */
  private async clockSkew(): Promise<boolean> {
    const env = skewedClockEnv(CLOCK_OFFSET, this.options.path ?? '');
    if ('missing' in env) {
      this.skipped.push({ kind: 'clock-skew', reason: String(env.missing) });
      this.log(`clock-skew skipped: ${String(env.missing)}`);
      return false;
    }
    const ready = await this.readySurvivors('clock-skew', 2);
    if (!ready) return false;
    const victim = this.prng.pick(ready);
    const fault: Fault = { kind: 'clock-skew', at: this.now(), target: victim, clockOffset: CLOCK_OFFSET };
    this.faults.push(fault);
    this.log(`fault: kill -9 ${victim} and restart it with its clock ${CLOCK_OFFSET}`);
    await this.cluster.killNode(victim);
    await this.cluster.startNode(victim, { env });
    this.trackRejoin(fault, victim);
    return true;
  }

  /** The cluster's data directory, or undefined (and the fault skipped) where nodes keep their data in memory. */
  private persistentOnly(kind: FaultKind): string | undefined {
    const dir = this.cluster.dataDir;
    if (dir === undefined) this.skipped.push({ kind, reason: 'the nodes keep their data in memory only' });
    return dir;
  }

  /**
   * kill -9 the broker and every node at once, as a power cut would, then start them all again
   * from their data directories. Only for a persistent cluster: in memory, nothing would survive.
   */
  private async clusterKill(): Promise<boolean> {
    if (this.persistentOnly('cluster-kill') === undefined) return false;
    const ids = this.cluster.nodeIds;
    // The nodes start with the broker, and the broker waits to hear from them all before it picks
    // the most advanced as where the new epoch starts from.
    const fault = await this.restartBroker(
      'cluster-kill',
      'cluster',
      'the broker and every node at once',
      () => this.cluster.killAll(),
      ['--startup-wait-ms', String(CLUSTER_RESTART_WAIT_MS)],
      () => Promise.all(ids.map((id) => this.cluster.startNode(id))),
    );
    if (!fault) return false;
    for (const id of ids) this.trackRejoin(fault, id);
    return true;
  }

  /** kill -9 the broker and start a new one on the same endpoint. */
  private async brokerKill(): Promise<boolean> {
    return (await this.restartBroker('broker-kill', 'broker', 'the broker', () => this.cluster.killBroker())) !== undefined;
  }

  /**
   * Once a ready node can be counted on: `kill` (which kills the broker, at least), then a new broker
   * on the same endpoint with `brokerArgs`, and `alongside` (other processes to start) at the same time.
   */
  private async restartBroker(
    kind: 'broker-kill' | 'cluster-kill',
    target: string,
    what: string,
    kill: () => Promise<void>,
    brokerArgs: readonly string[] = [],
    alongside: () => Promise<unknown> = async () => undefined,
  ): Promise<Fault | undefined> {
    if (!(await this.readySurvivors(kind, 1))) return undefined;
    const fault: Fault = { kind, at: this.now(), target };
    this.faults.push(fault);
    this.log(`fault: kill -9 ${what}`);
    await kill();
    const started = alongside();
    // After a cluster-kill, every broker (with several, each on its endpoint); after a broker-kill, the one.
    await (kind === 'cluster-kill' ? this.cluster.startBrokers(brokerArgs) : this.cluster.startBroker(brokerArgs));
    fault.brokerRestartMs = Math.round(this.now() - fault.at);
    await started;
    return fault;
  }

  /**
   * SIGSTOP a ready node, and SIGCONT it a while later in the background, so that the next faults
   * (a broker kill, say) may land while it is stopped. A stopped node never counts as a survivor.
   */
  private async nodePause(): Promise<boolean> {
    const ready = await this.readySurvivors('node-pause', 2);
    if (!ready) return false;
    const victim = this.prng.pick(ready);
    const [min, max] = this.options.pauseMs ?? [800, 4000];
    const fault: Fault = { kind: 'node-pause', at: this.now(), target: victim, pauseMs: this.prng.int(min, max) };
    this.faults.push(fault);
    this.log(`fault: SIGSTOP ${victim} for ${fault.pauseMs} ms`);
    const process = this.cluster.node(victim);
    this.cluster.pauseNode(victim);
    this.keep(
      // The length of the stop is the fault itself, not a wait for readiness.
      delay(fault.pauseMs!).then(() => {
        if (this.cluster.node(victim) !== process || process.hasExited) return;
        this.cluster.resumeNode(victim);
        this.log(`SIGCONT ${victim}`);
        this.trackRejoin(fault, victim);
      }),
    );
    return true;
  }

  /** Waits until at least `count` ready survivors exist; records a problem and returns undefined if they do not come. */
  private async readySurvivors(kind: FaultKind, count: number): Promise<string[] | undefined> {
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    try {
      await this.cluster.waitForReady(count, timeoutMs);
      return await this.cluster.readyNodes();
    } catch (error) {
      this.problems.push(`${kind}: fewer than ${count} ready nodes within ${timeoutMs} ms (${(error as Error).message})`);
      this.skipped.push({ kind, reason: `fewer than ${count} ready nodes` });
      return undefined;
    }
  }

  /** In the background: how long node `id` takes to be ready again, from `from` (default now). */
  private trackRejoin(fault: Fault, id: string, from = this.now()): void {
    const rejoin = (fault.rejoinMs ??= {});
    const timeoutMs = this.options.readyTimeoutMs ?? 30_000;
    const task = this.cluster.waitForNodeReady(id, timeoutMs).then(
      (ms) => {
        rejoin[id] = ms === undefined ? null : Math.round(this.now() - from);
      },
      (error: unknown) => {
        rejoin[id] = null;
        this.problems.push(`${fault.kind}: ${id} not ready again within ${timeoutMs} ms (${(error as Error).message})`);
      },
    );
    this.keep(task);
  }

  /** Runs `then` once every rejoin started so far has settled. */
  private afterRejoins(then: () => void): void {
    this.keep(Promise.all([...this.background]).then(then));
  }

  private keep(task: Promise<void>): void {
    this.background.add(task);
    void task.finally(() => this.background.delete(task));
  }
}

/** Bytes of the files directly in `dir`. */
async function directoryBytes(dir: string): Promise<number> {
  const sizes = await Promise.all((await readdir(dir)).map(async (name) => (await stat(join(dir, name))).size));
  return sizes.reduce((a, b) => a + b, 0);
}
