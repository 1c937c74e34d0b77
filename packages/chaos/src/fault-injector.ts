import { setTimeout as delay } from 'node:timers/promises';
import { becameReady, findJoins, joinRestartedForLostSource } from './broker-log.js';
import type { ChaosCluster } from './chaos-cluster.js';
import type { Prng } from './prng.js';
import { waitFor } from '@brainer/test-utils';

export const FAULT_KINDS = ['node-kill', 'source-kill', 'broker-kill', 'node-pause', 'cluster-kill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** The kinds a cluster whose nodes keep their data in memory survives: all but killing every process at once. */
export const MEMORY_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((kind) => kind !== 'cluster-kill');

/** One fault as injected. Times are on the history clock, in ms. */
export interface Fault {
  kind: FaultKind;
  /** When the disruptive signal was sent: the kill -9, or the SIGSTOP. */
  at: number;
  /** The node killed or stopped, `broker`, or `cluster` (every process). */
  target: string;
  /** source-kill: the node whose join the target was serving. */
  joiner?: string;
  /** source-kill: the broker had not marked the joiner ready when the source was killed. */
  midJoin?: boolean;
  /** source-kill: the broker logged that it restarted the join because the source was lost. */
  joinRestarted?: boolean;
  /** node-pause: how long the node stayed stopped. */
  pauseMs?: number;
  /** broker-kill and cluster-kill: from the kill to the new broker's ready line. */
  brokerRestartMs?: number;
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
}

/**
 * Injects faults one after another on a schedule drawn from a seeded generator: kill -9 of a node
 * (restarted with the same id: empty, or on its data directory in a persistent cluster), kill -9 of
 * the snapshot source serving a join, kill -9 of the broker (restarted on the same endpoint), SIGSTOP
 * of a node for a while, and, in a persistent cluster, kill -9 of every process at once. Before each fault it
 * waits until the nodes it must leave standing are ready, so that at least one node that holds the
 * data always survives.
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
    }
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
    const ready = await this.readySurvivors('source-kill', 3);
    if (!ready) return false;
    const joiner = this.prng.pick(ready);
    const broker = this.cluster.broker;
    const from = broker.stderr.length;
    this.log(`fault: kill -9 ${joiner} so that it joins again`);
    await this.cluster.killNode(joiner);
    const restartedAt = this.now();
    // A node restarted on its data catches up without a snapshot: without them, it streams one.
    await this.cluster.startNode(joiner, true);
    let join;
    try {
      join = await waitFor(() => findJoins(broker.stderr, joiner, from)[0], {
        timeoutMs: this.options.readyTimeoutMs ?? 30_000,
        intervalMs: 2,
        description: `the broker's join line for ${joiner}`,
      });
    } catch (error) {
      this.problems.push(`source-kill: ${(error as Error).message}`);
      this.trackRejoin({ kind: 'node-kill', at: restartedAt, target: joiner }, joiner);
      return false;
    }
    const source = join.source;
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
   * kill -9 the broker and every node at once, as a power cut would, then start them all again
   * from their data directories. Only for a persistent cluster: in memory, nothing would survive.
   */
  private async clusterKill(): Promise<boolean> {
    if (!this.cluster.persistent) {
      this.skipped.push({ kind: 'cluster-kill', reason: 'the nodes keep their data in memory only' });
      return false;
    }
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
    await this.cluster.startBroker(brokerArgs);
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
