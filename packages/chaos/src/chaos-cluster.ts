import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Brainer, type NodeInfo } from '@brainer/client';
import { startBroker, startNode, waitFor, type ExitInfo, type ManagedProcess } from '@brainer/test-utils';
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

/**
 * A broker and its nodes as real processes, with the operations a fault schedule needs: kill -9
 * and restart a node or the broker (on the same endpoint), kill -9 every process at once, SIGSTOP
 * and SIGCONT a node, and a view of which nodes can be counted on as ready survivors.
 */
export class ChaosCluster {
  private brokerProcess: ManagedProcess;
  /** Logs of brokers that were killed, oldest first. */
  private readonly brokerLogs: string[] = [];
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
  private brokerPaused = false;
  private readonly admin: Brainer;
  /** Every process started, killed ones included, for their logs. */
  private readonly started: ManagedProcess[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];

  private constructor(
    broker: ManagedProcess,
    private readonly options: ChaosClusterOptions,
  ) {
    this.brokerProcess = this.watch(broker);
    this.admin = new Brainer(broker.endpoint, { timeoutMs: 3000 });
  }

  /** Starts the broker and the nodes and resolves once every node is ready. */
  static async start(options: ChaosClusterOptions = {}): Promise<ChaosCluster> {
    const broker = await startBroker({ readyTimeoutMs: options.readyTimeoutMs ?? 30_000, args: options.brokerArgs ?? [] });
    const cluster = new ChaosCluster(broker, options);
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

  get endpoint(): string {
    return this.brokerProcess.endpoint;
  }

  get broker(): ManagedProcess {
    return this.brokerProcess;
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
    return [...this.brokerLogs, this.brokerProcess.stderr].join('\n');
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
    const node = await startNode(this.brokerProcess.endpoint, {
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

  /** SIGSTOP the broker. */
  pauseBroker(): void {
    this.brokerPaused = true;
    this.brokerProcess.kill('SIGSTOP');
  }

  /** SIGCONT the broker. */
  resumeBroker(): void {
    this.brokerProcess.kill('SIGCONT');
    this.brokerPaused = false;
  }

  /** kill -9 every node and the broker at once, as a power cut would, and wait for them all to be gone. */
  async killAll(): Promise<void> {
    const broker = this.brokerProcess;
    const nodes = [...this.nodes.keys()];
    for (const id of nodes) {
      this.settling.add(id);
      this.paused.delete(id);
    }
    await Promise.all([...nodes.map((id) => this.kill(this.node(id))), this.kill(broker)]);
    this.brokerLogs.push(broker.stderr);
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

  /** kill -9 the broker and wait for it to be gone. */
  async killBroker(): Promise<void> {
    const broker = this.brokerProcess;
    await this.kill(broker);
    this.brokerLogs.push(broker.stderr);
  }

  /** Starts a broker on the endpoint the first one bound, with `extraArgs` after the cluster's own broker arguments. */
  async startBroker(extraArgs: readonly string[] = []): Promise<ManagedProcess> {
    const endpoint = this.brokerProcess.endpoint;
    let lastError: unknown;
    // The port was just freed by a kill; a bind can fail once if the system has not released it.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const broker = await startBroker({
          endpoint,
          readyTimeoutMs: this.options.readyTimeoutMs ?? 30_000,
          args: [...(this.options.brokerArgs ?? []), ...extraArgs],
        });
        this.brokerProcess = this.watch(broker);
        return broker;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Resumes stopped processes, closes the admin client, stops every process and unmounts the tmpfs mounts. */
  async stop(): Promise<void> {
    for (const id of this.paused) this.resumeNode(id);
    if (this.brokerPaused) this.resumeBroker();
    await this.admin.close();
    const all = [...this.nodes.values(), this.brokerProcess];
    for (const process of all) this.expectedExits.add(process.pid);
    await Promise.all([...this.nodes.values()].map((node) => node.stop(5000)));
    await this.brokerProcess.stop(5000);
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
        .map((line) => `${process.id} (pid ${process.pid}): ${line}`),
    );
  }

  private isExpectedError(process: ManagedProcess, line: string): boolean {
    return this.expectedErrors.has(process.pid) || (this.expectedLines.get(process.pid) ?? []).some((pattern) => pattern.test(line));
  }

  private watch(process: ManagedProcess): ManagedProcess {
    this.started.push(process);
    void process.exited.then((exit) => {
      if (this.expectedExits.has(process.pid)) return;
      this.unexpectedExits.push({ id: process.id, pid: process.pid, exit, stderrTail: process.stderr.split('\n').slice(-30).join('\n') });
    });
    return process;
  }
}
