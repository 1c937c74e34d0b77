import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Brainer, type NodeInfo } from '@brainer/client';
import {
  brokerRole,
  startBroker,
  startEtcdCluster,
  ETCD_FAST_RAFT,
  startNode,
  waitFor,
  type EtcdCluster,
  type EtcdProcess,
  type ExitInfo,
  type ManagedProcess,
} from '@brainer/test-utils';
import { unmountTmpfs } from './tmpfs.js';

export interface ChaosClusterOptions {
  /** Node ids to start. Default node1, node2, node3. */
  nodeIds?: readonly string[];
  /** Extra run-node arguments for every node (such as snapshot tuning). */
  nodeArgs?: readonly string[];
  /** Extra run-broker arguments. */
  brokerArgs?: readonly string[];
  /** How long a process may take to print its ready line, in ms. Default 30,000. */
  readyTimeoutMs?: number;
  /**
   * A directory under which each node keeps its data (`<dataDir>/<id>`, `run-node --data-dir`): a
   * node killed and restarted then comes back with its data. Default: none, nodes keep data in memory.
   */
  dataDir?: string;
  /**
   * Brokers. 1 (default): one broker alone, with no etcd, as always. 2 or more: an etcd cluster of
   * `etcdMembers` is started for the run, every broker campaigns on it (`run-broker --etcd`), and
   * nodes and clients are given every broker's endpoint.
   */
  brokers?: number;
  /** With several brokers: etcd members, in one etcd cluster. Default 3. */
  etcdMembers?: number;
  /** With several brokers: the leader's etcd lease TTL (`run-broker --lease-ttl`), in s. Default 2. */
  leaseTtlS?: number;
}

/** Epochs a leader may start within one etcd term (the broker's EPOCHS_PER_TERM, PROTOCOL.md 5.17). */
const EPOCHS_PER_TERM = 2 ** 20;

/** The name the chaos run's brokers campaign under in etcd (`run-broker --cluster`). */
export const CHAOS_ELECTION_CLUSTER = 'chaos';

/** A broker's own word on its role at one moment, as `brainer-cli brokers` would show it. */
export interface BrokerStanding {
  /** `broker1`, `broker2`, … in the order they were first started (`broker` when it is the only one). */
  broker: string;
  endpoint: string;
  pid: number;
  /** `leader` or `standby` (its `stats`), `no answer`, `exited` or `stopped` (SIGSTOPped by a fault). */
  role: string;
}

/** How node `id` is started (`ChaosCluster.startNode`). */
export interface NodeStart {
  /** Empty its data directory first: a lost disk. Default false. */
  wipe?: boolean;
  /** Extra environment variables for this process only (a skewed clock, say). */
  env?: NodeJS.ProcessEnv;
  /** Extra run-node arguments for this process only, after the cluster's. */
  args?: readonly string[];
}

/** A process that exited without being killed by the chaos run: a crash. */
export interface UnexpectedExit {
  id: string;
  pid: number;
  exit: ExitInfo;
  /** The last lines it logged. */
  stderrTail: string;
}

/** One broker's place in the cluster: its endpoint stays, its process changes with each restart. */
interface BrokerSlot {
  readonly name: string;
  readonly endpoint: string;
  process: ManagedProcess;
  paused: boolean;
}

/**
 * A broker (or, elected on etcd, several) and its nodes as real processes, with the operations a
 * fault schedule needs: kill -9 and restart a node or a broker (on the same endpoint), kill -9 every
 * process at once, SIGSTOP and SIGCONT a node or a broker, kill -9 and restart an etcd member, and
 * a view of which nodes can be counted on as ready survivors and of which broker leads.
 */
export class ChaosCluster {
  private readonly slots: BrokerSlot[];
  /** The slot of the broker last seen leading (with one broker, always 0). */
  private leaderSlot = 0;
  /** Logs of brokers that were killed, oldest first. */
  private readonly brokerLogs: string[] = [];
  /** Broker names by pid, for their log lines and exits. */
  private readonly brokerNames = new Map<number, string>();
  private readonly nodes = new Map<string, ManagedProcess>();
  private readonly paused = new Set<string>();
  /** Nodes restarted or resumed and not yet seen ready again: never counted as survivors. */
  private readonly settling = new Set<string>();
  private readonly expectedExits = new Set<number>();
  /** Processes whose error lines a fault provoked on purpose (a full disk, a damaged log). */
  private readonly expectedErrors = new Set<number>();
  /** Error lines a fault makes a process log on purpose, by pid: the rest of its errors still count. */
  private readonly expectedLines = new Map<number, RegExp[]>();
  /** Data directories moved elsewhere (onto a small disk), by node id. */
  private readonly dataDirs = new Map<string, string>();
  /** tmpfs mounts to unmount at the end. */
  private readonly mounts = new Set<string>();
  private readonly admin: Brainer;
  /** Every process started, killed ones included, for their logs. */
  private readonly started: ManagedProcess[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];

  private constructor(
    brokers: readonly ManagedProcess[],
    private readonly options: ChaosClusterOptions,
    /** With several brokers: the etcd they campaign on. */
    readonly etcd: EtcdCluster | undefined,
  ) {
    const name = (i: number): string => (brokers.length === 1 ? 'broker' : `broker${i + 1}`);
    this.slots = brokers.map((process, i) => ({ name: name(i), endpoint: process.endpoint, process, paused: false }));
    for (const slot of this.slots) this.watchBroker(slot);
    this.admin = new Brainer(this.endpoint, { timeoutMs: 3000 });
  }

  /**
   * Starts the broker and the nodes and resolves once every node is ready. With several brokers,
   * etcd first, then the brokers one by one (the first is waited for until it leads, so that the run
   * starts with broker1 leading), then the nodes, given every broker.
   */
  static async start(options: ChaosClusterOptions = {}): Promise<ChaosCluster> {
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    const brokerCount = options.brokers ?? 1;
    if (!Number.isSafeInteger(brokerCount) || brokerCount < 1)
      throw new Error(`brokers must be a whole number of at least 1, got ${brokerCount}`);
    // With the raft timings RELIABILITY.md advises, so that losing etcd's raft leader changes nothing.
    const etcd = brokerCount > 1 ? await startEtcdCluster(options.etcdMembers ?? 3, readyTimeoutMs, undefined, ETCD_FAST_RAFT) : undefined;
    const brokers: ManagedProcess[] = [];
    let cluster: ChaosCluster | undefined;
    try {
      const args = [...electionArgs(etcd, options), ...(options.brokerArgs ?? [])];
      for (let i = 0; i < brokerCount; i++) {
        const broker = await startBroker({ readyTimeoutMs, args });
        brokers.push(broker);
        if (etcd !== undefined && i === 0) {
          await waitFor(async () => (await brokerRole(broker.endpoint)) === 'leader', {
            timeoutMs: readyTimeoutMs,
            intervalMs: 100,
            description: 'the first broker leading',
          });
        }
      }
      cluster = new ChaosCluster(brokers, options, etcd);
    } catch (error) {
      await Promise.allSettled(brokers.map((broker) => broker.stop(5000)));
      await etcd?.stop();
      throw error;
    }
    try {
      const ids = options.nodeIds ?? ['node1', 'node2', 'node3'];
      await Promise.all(ids.map((id) => cluster.startNode(id)));
      await Promise.all(ids.map((id) => cluster.waitForNodeReady(id, options.readyTimeoutMs ?? 30_000)));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** What nodes and clients are given: the broker's endpoint, or every broker's, as `E1,E2`. */
  get endpoint(): string {
    return this.slots.map((slot) => slot.endpoint).join(',');
  }

  /** Whether several brokers elect a leader on etcd. */
  get elected(): boolean {
    return this.etcd !== undefined;
  }

  /** The broker, or with several, the one last seen leading (`findLeader`): the one whose log tells of joins. */
  get broker(): ManagedProcess {
    return this.slots[this.leaderSlot]!.process;
  }

  /** The name of the broker last seen leading (`broker` with one broker). */
  get leaderName(): string {
    return this.slots[this.leaderSlot]!.name;
  }

  /** Every broker's current process, in slot order (`broker1` first). */
  get brokers(): ManagedProcess[] {
    return this.slots.map((slot) => slot.process);
  }

  /** The etcd members, with several brokers (none otherwise). */
  get etcdMembers(): EtcdProcess[] {
    return this.etcd?.members ?? [];
  }

  /** Each broker's own word on its role now (`stats`, asked of that broker alone, which has `timeoutMs` to answer). */
  async brokerStandings(timeoutMs = 1000): Promise<BrokerStanding[]> {
    return Promise.all(
      this.slots.map(async (slot) => {
        const { name: broker, endpoint, process } = slot;
        const role = process.hasExited ? 'exited' : slot.paused ? 'stopped' : ((await brokerRole(endpoint, timeoutMs)) ?? 'no answer');
        return { broker, endpoint, pid: process.pid, role };
      }),
    );
  }

  /**
   * Waits until exactly one live broker says it leads, remembers it as `broker`, and returns its
   * slot. With one broker, returns 0 at once.
   */
  async findLeader(timeoutMs: number, except?: number): Promise<number> {
    if (!this.elected) return 0;
    // Boxed: waitFor takes slot 0 for a falsy answer.
    const { slot } = await waitFor(
      async () => {
        const standings = await this.brokerStandings();
        const leaders = standings.flatMap((standing, i) => (standing.role === 'leader' && i !== except ? [i] : []));
        return leaders.length === 1 ? { slot: leaders[0]! } : undefined;
      },
      {
        timeoutMs,
        intervalMs: 50,
        description: except === undefined ? 'one broker leading' : `a broker other than ${this.slots[except]!.name} leading`,
      },
    );
    this.leaderSlot = slot;
    return slot;
  }

  /**
   * The etcd term the broker last seen leading leads in (its epoch ÷ 2^20, PROTOCOL.md 5.17), by its
   * own `stats`, once it serves (a leader still recovering has no epoch yet); undefined when it does
   * not say within `timeoutMs`. A new term means a new election was won.
   */
  async leaderTerm(timeoutMs = 10_000): Promise<number | undefined> {
    const client = new Brainer(this.broker.endpoint, { timeoutMs: 1000, reads: 'broker', followLeader: false });
    try {
      const { term } = await waitFor(
        async () => {
          const stats = await client.stats();
          const epoch = Number(stats.epoch);
          return stats.state === 'serving' && Number.isFinite(epoch) && epoch > 0
            ? { term: Math.floor(epoch / EPOCHS_PER_TERM) }
            : undefined;
        },
        { timeoutMs, intervalMs: 50, description: `${this.leaderName} serving` },
      );
      return term;
    } catch {
      return undefined;
    } finally {
      await client.close();
    }
  }

  /** The slot's name: `broker1`, `broker2`, … (`broker` when it is the only one). */
  brokerName(slot: number): string {
    return this.slots[slot]!.name;
  }

  get nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  node(id: string): ManagedProcess {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  isPaused(id: string): boolean {
    return this.paused.has(id);
  }

  /** Every broker log of the run, killed brokers first. */
  brokerLog(): string {
    return [...this.brokerLogs, ...this.slots.map((slot) => slot.process.stderr)].join('\n');
  }

  /** The broker's `nodes` answer. */
  listNodes(): Promise<NodeInfo[]> {
    return this.admin.nodes();
  }

  /**
   * The nodes that can be counted on to keep the data: the broker lists them as ready at the
   * endpoint of their current process, which is alive, not stopped and not settling.
   */
  async readyNodes(): Promise<string[]> {
    const listed = await this.listNodes();
    return listed.filter((info) => info.state === 'ready' && this.isUsable(info.id, info.endpoint)).map((info) => info.id);
  }

  /** Resolves once at least `count` nodes are ready survivors; returns how long it took, in ms. */
  async waitForReady(count: number, timeoutMs: number): Promise<number> {
    const start = performance.now();
    await waitFor(async () => (await this.readyNodes()).length >= count, {
      timeoutMs,
      intervalMs: 50,
      description: `${count} ready nodes`,
    });
    return performance.now() - start;
  }

  /**
   * Resolves once node `id` is ready again: listed ready at its current endpoint, and reporting
   * itself ready with a read lease (after a pause the broker may list it for a moment before it
   * notices). Clears its settling mark and returns the time taken in ms, or undefined if the
   * process was killed or replaced meanwhile.
   */
  async waitForNodeReady(id: string, timeoutMs: number): Promise<number | undefined> {
    const start = performance.now();
    const process = this.node(id);
    const direct = new Brainer(process.endpoint, { timeoutMs: 1000 });
    try {
      const outcome = await waitFor(
        async () => {
          if (this.nodes.get(id) !== process || process.hasExited) return 'replaced';
          if (this.paused.has(id)) return false;
          const listed = (await this.listNodes()).find((info) => info.id === id);
          if (listed?.state !== 'ready' || listed.endpoint !== process.endpoint) return false;
          const own = await direct.stats();
          return own.state === 'ready' && own.lease === true ? 'ready' : false;
        },
        { timeoutMs, intervalMs: 50, description: `${id} ready` },
      );
      if (outcome === 'replaced') return undefined;
      this.settling.delete(id);
      return performance.now() - start;
    } finally {
      await direct.close();
    }
  }

  /** Each live node's own `stats`, asked on its endpoint; a node that does not answer is left out. */
  async nodeStats(): Promise<Map<string, Record<string, unknown>>> {
    const stats = new Map<string, Record<string, unknown>>();
    await Promise.all(
      [...this.nodes].map(async ([id, process]) => {
        if (process.hasExited || this.paused.has(id)) return;
        const direct = new Brainer(process.endpoint, { timeoutMs: 2000 });
        try {
          stats.set(id, await direct.stats());
        } catch {
          // counted as missing
        } finally {
          await direct.close();
        }
      }),
    );
    return stats;
  }

  /** Whether nodes keep their data on disk across restarts. */
  get persistent(): boolean {
    return this.options.dataDir !== undefined;
  }

  /** The directory under which the nodes keep their data, in a persistent cluster. */
  get dataDir(): string | undefined {
    return this.options.dataDir;
  }

  /** Where node `id` keeps its data, in a persistent cluster. */
  dataDirOf(id: string): string | undefined {
    return this.dataDirs.get(id) ?? (this.options.dataDir === undefined ? undefined : join(this.options.dataDir, id));
  }

  /** Node `id` keeps its data in `dir` from its next start on: a tmpfs mounted there, unmounted at the end. */
  moveDataDir(id: string, dir: string): void {
    this.dataDirs.set(id, dir);
    this.mounts.add(dir);
  }

  /**
   * Starts node `id` and marks it settling until it is seen ready. Its store is empty, unless the
   * cluster is persistent: then it loads its data directory, which `wipe` empties first (a lost disk).
   */
  async startNode(id: string, start: NodeStart = {}): Promise<ManagedProcess> {
    this.settling.add(id);
    const dataDir = this.dataDirOf(id);
    if (dataDir !== undefined && start.wipe) {
      // Its contents, not the directory: it may be a mount point.
      await mkdir(dataDir, { recursive: true });
      await Promise.all((await readdir(dataDir)).map((name) => rm(join(dataDir, name), { recursive: true, force: true })));
    }
    const node = await startNode(this.endpoint, {
      id,
      readyTimeoutMs: this.options.readyTimeoutMs ?? 30_000,
      args: [...(this.options.nodeArgs ?? []), ...(start.args ?? [])],
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(start.env === undefined ? {} : { env: start.env }),
    });
    this.nodes.set(id, this.watch(node));
    return node;
  }

  /** The error lines of `process` are the fault's outcome, and with `exit`, so is its exit: not a crash. */
  expectTrouble(process: ManagedProcess, exit: boolean): void {
    if (exit) this.expectedExits.add(process.pid);
    this.expectedErrors.add(process.pid);
  }

  /** `process` logging an error line that matches `line` is the fault's outcome, not a failure. */
  expectErrorLine(process: ManagedProcess, line: RegExp): void {
    this.expectedLines.set(process.pid, [...(this.expectedLines.get(process.pid) ?? []), line]);
  }

  /** SIGSTOP the broker of `slot` (default: the broker, or the one last seen leading). */
  pauseBroker(slot = this.leaderSlot): void {
    this.slots[slot]!.paused = true;
    this.slots[slot]!.process.kill('SIGSTOP');
  }

  /** SIGCONT the broker of `slot` (default: the broker, or the one last seen leading). */
  resumeBroker(slot = this.leaderSlot): void {
    this.slots[slot]!.process.kill('SIGCONT');
    this.slots[slot]!.paused = false;
  }

  /** kill -9 every node and every broker at once, as a power cut would, and wait for them all to be gone. */
  async killAll(): Promise<void> {
    const nodes = [...this.nodes.keys()];
    for (const id of nodes) {
      this.settling.add(id);
      this.paused.delete(id);
    }
    await Promise.all([...nodes.map((id) => this.kill(this.node(id))), ...this.slots.map((_, slot) => this.killBroker(slot))]);
  }

  /** kill -9 node `id` and wait for it to be gone. */
  async killNode(id: string): Promise<void> {
    const node = this.node(id);
    this.settling.add(id);
    this.paused.delete(id);
    await this.kill(node);
  }

  /** SIGSTOP node `id`. */
  pauseNode(id: string): void {
    this.paused.add(id);
    this.settling.add(id);
    this.node(id).kill('SIGSTOP');
  }

  /** SIGCONT node `id`. It stays settling until `waitForNodeReady`. */
  resumeNode(id: string): void {
    this.node(id).kill('SIGCONT');
    this.paused.delete(id);
  }

  /** kill -9 the broker of `slot` (default: the broker, or the one last seen leading) and wait for it to be gone. */
  async killBroker(slot = this.leaderSlot): Promise<void> {
    const entry = this.slots[slot]!;
    entry.paused = false;
    if (entry.process.hasExited) return;
    await this.kill(entry.process);
    this.brokerLogs.push(entry.process.stderr);
  }

  /**
   * Starts a broker again on the endpoint of `slot` (default: the broker, or the one last seen
   * leading), with `extraArgs` after the cluster's own broker arguments.
   */
  async startBroker(extraArgs: readonly string[] = [], slot = this.leaderSlot): Promise<ManagedProcess> {
    const entry = this.slots[slot]!;
    let lastError: unknown;
    // The port was just freed by a kill; a bind can fail once if the system has not released it.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const broker = await startBroker({
          endpoint: entry.endpoint,
          readyTimeoutMs: this.options.readyTimeoutMs ?? 30_000,
          args: [...electionArgs(this.etcd, this.options), ...(this.options.brokerArgs ?? []), ...extraArgs],
        });
        entry.process = broker;
        entry.paused = false;
        this.watchBroker(entry);
        return broker;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Starts again, at once, every broker whose process has exited (after `killAll`), each on its endpoint. */
  async startBrokers(extraArgs: readonly string[] = []): Promise<void> {
    await Promise.all(this.slots.map((entry, slot) => (entry.process.hasExited ? this.startBroker(extraArgs, slot) : undefined)));
  }

  /** Resumes stopped processes, closes the admin client, stops every process and etcd, and unmounts the tmpfs mounts. */
  async stop(): Promise<void> {
    for (const id of this.paused) this.resumeNode(id);
    this.slots.forEach((slot, i) => slot.paused && this.resumeBroker(i));
    await this.admin.close();
    const all = [...this.nodes.values(), ...this.brokers];
    for (const process of all) this.expectedExits.add(process.pid);
    await Promise.all([...this.nodes.values()].map((node) => node.stop(5000)));
    await Promise.all(this.brokers.map((broker) => broker.stop(5000)));
    await this.etcd?.stop();
    await Promise.all([...this.mounts].map((dir) => unmountTmpfs(dir).catch(() => undefined)));
  }

  private isUsable(id: string, endpoint: string): boolean {
    const process = this.nodes.get(id);
    return process !== undefined && process.endpoint === endpoint && !process.hasExited && !this.paused.has(id) && !this.settling.has(id);
  }

  private async kill(process: ManagedProcess): Promise<void> {
    this.expectedExits.add(process.pid);
    process.kill('SIGKILL');
    await process.exited;
  }

  /**
   * Lines logged at error level by any process of the run, prefixed with its id and pid; `expected`:
   * those of the processes a fault meant to trouble (`expectTrouble`), otherwise the others.
   */
  errorLogLines(expected = false): string[] {
    return this.started.flatMap((process) =>
      process.stderr
        .split('\n')
        .filter((line) => /^\S+ ERROR\b/.test(line) && this.isExpectedError(process, line) === expected)
        .map((line) => `${this.nameOf(process)} (pid ${process.pid}): ${line}`),
    );
  }

  private isExpectedError(process: ManagedProcess, line: string): boolean {
    return this.expectedErrors.has(process.pid) || (this.expectedLines.get(process.pid) ?? []).some((pattern) => pattern.test(line));
  }

  /** A node's id; a broker's name (`broker1`) with several brokers, `broker` with one. */
  private nameOf(process: ManagedProcess): string {
    return this.brokerNames.get(process.pid) ?? process.id;
  }

  private watchBroker(slot: BrokerSlot): void {
    if (this.elected) this.brokerNames.set(slot.process.pid, slot.name);
    this.watch(slot.process);
  }

  private watch(process: ManagedProcess): ManagedProcess {
    this.started.push(process);
    void process.exited.then((exit) => {
      if (this.expectedExits.has(process.pid)) return;
      this.unexpectedExits.push({
        id: this.nameOf(process),
        pid: process.pid,
        exit,
        stderrTail: process.stderr.split('\n').slice(-30).join('\n'),
      });
    });
    return process;
  }
}

/** run-broker's election arguments, with several brokers: none with one. */
function electionArgs(etcd: EtcdCluster | undefined, options: ChaosClusterOptions): string[] {
  if (etcd === undefined) return [];
  return ['--etcd', etcd.urls, '--cluster', CHAOS_ELECTION_CLUSTER, '--lease-ttl', String(options.leaseTtlS ?? 2)];
}

/**
 * Which etcd member leads etcd's own raft group, by its `/metrics` (`etcd_server_is_leader 1`);
 * undefined when none says so (an election under way) or none answers.
 */
export async function etcdRaftLeader(members: readonly EtcdProcess[]): Promise<number | undefined> {
  const answers = await Promise.all(
    members.map(async (member) => {
      if (!member.running) return false;
      try {
        const response = await fetch(`${member.url}/metrics`, { signal: AbortSignal.timeout(1000) });
        return /^etcd_server_is_leader 1$/m.test(await response.text());
      } catch {
        return false;
      }
    }),
  );
  const leaders = answers.flatMap((leads, i) => (leads ? [i] : []));
  return leaders.length === 1 ? leaders[0] : undefined;
}
