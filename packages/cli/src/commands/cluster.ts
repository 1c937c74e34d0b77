import { join } from 'node:path';
import { Flags, ux } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { brokerEndpoints } from '../broker-endpoints.js';
import { askBrokerRole } from '../broker-role.js';
import { DEFAULT_LEASE_TTL_S, LEASE_TTL_DESCRIPTION } from '../election-flags.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { UsageError } from '../errors.js';
import { EtcdNotFoundError, findOnPath, LocalEtcd } from '../local-etcd.js';
import { nodeEndpointFor } from '../node-endpoint.js';
import { SupervisedChild, type Supervised } from '../supervised-child.js';
import { waitForShutdown } from '../wait-for-shutdown.js';

const COLORS = ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red'] as const;
/** Restarts allowed per process within RESTART_WINDOW_MS; one more means it cannot run here, and the cluster stops. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** The name the brokers of `--brokers N` campaign under, in their own etcd. */
const ELECTION_NAME = 'brainer';
/** How often the brokers are asked which of them leads, while waiting for one to, in ms. */
const LEADER_POLL_MS = 250;

type Kind = 'etcd' | 'broker' | 'node';

/** One process of the cluster, under its name: how to start it (again). */
interface Slot {
  readonly name: string;
  readonly kind: Kind;
  readonly prefix: string;
  start: () => Supervised;
}

export default class ClusterCommand extends BaseCommand {
  static override summary =
    'Run a broker (or several, elected on a local etcd) and N nodes in the foreground, with prefixed logs (what `npm start` runs).';
  static override description = `Starts run-broker and then N run-node processes, copies their output with a colored name in front of each line, waits until each is ready, and prints how to try the cluster. Ctrl-C (SIGINT) or SIGTERM stops every child and exits.

With --brokers N (2 or more), it first starts etcd, found on PATH (Debian: apt-get install etcd-server; without it the command fails with ENOENT, exit 1), on free loopback ports with a temporary data directory, then N brokers that elect a leader on it (run-broker --etcd URL --cluster ${ELECTION_NAME}, with --lease-ttl, and each given the others as --peers), then the nodes, each given every broker. The first broker binds --endpoint; the others bind beside an ipc one (broker.sock, broker-2.sock, ...), or on the next tcp ports (5555, 5556, ...; for port *, free ones). The banner gives etcd's URL, each broker's endpoint and pid, and the --broker list for clients. Stopping the cluster stops etcd last and removes its data directory.

Once the cluster is up, a broker or node that exits is started again, with a line saying so: a restarted broker takes its nodes back (they keep their data), and a restarted node joins again. With --brokers N, a broker that exits is started again only once another broker leads (a standby takes over within about the lease TTL), so it comes back as a standby; a line says which broker leads then. etcd is started again at once, on the same ports and data; meanwhile no broker leads. A process that exits more than ${MAX_RESTARTS} times within ${RESTART_WINDOW_MS / 1000} s is not started again: then every child is stopped and the command exits 1. A process that exits before the cluster is up stops it all at once, with exit 1.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --nodes 5 --endpoint tcp://127.0.0.1:5555',
    '<%= config.bin %> <%= command.id %> --brokers 2 --endpoint tcp://127.0.0.1:5555',
    '<%= config.bin %> <%= command.id %> --brokers 3 --nodes 3 --lease-ttl 5',
  ];
  static override flags = {
    nodes: Flags.integer({ description: 'How many nodes to start.', default: 3, min: 1, max: 64 }),
    brokers: Flags.integer({
      description:
        'How many brokers to start. 2 or more: a local etcd (the etcd program on PATH) elects which one leads; the others stand by and take over should it die.',
      default: 1,
      min: 1,
      max: 16,
    }),
    endpoint: endpointFlag({
      description: 'Broker endpoint to bind; with --brokers N, the first broker binds it and the others beside it.',
      default: DEFAULT_BROKER_ENDPOINT,
    }),
    'heartbeat-ms': Flags.integer({ description: 'Heartbeat interval in milliseconds, passed to run-broker.', min: 1, helpValue: '<ms>' }),
    'lease-ttl': Flags.integer({
      description: `With --brokers 2 or more: ${LEASE_TTL_DESCRIPTION} Passed to run-broker. Default ${DEFAULT_LEASE_TTL_S}.`,
      min: 1,
      max: 600,
      helpValue: '<s>',
    }),
    'ready-timeout': Flags.integer({
      description: 'Milliseconds to wait for each process to print its ready line.',
      default: 30_000,
      min: 1,
      helpValue: '<ms>',
    }),
  };

  /** Every process started, by name, in the order first started. */
  private readonly children = new Map<string, { slot: Slot; child: Supervised }>();
  private etcd: LocalEtcd | undefined;
  /** With --brokers N: each broker's endpoint as it reported it, by name. */
  private readonly brokerEndpoints = new Map<string, string>();
  private leaseTtlS = DEFAULT_LEASE_TTL_S;

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterCommand);
    const elected = flags.brokers > 1;
    if (!elected && flags['lease-ttl'] !== undefined) {
      throw new UsageError('--lease-ttl needs --brokers 2 or more: a single broker leads alone, with no election');
    }
    this.leaseTtlS = flags['lease-ttl'] ?? DEFAULT_LEASE_TTL_S;
    // Before anything starts: the addresses every broker binds, and the etcd program.
    const endpoints = elected ? await brokerEndpoints(flags.endpoint, flags.brokers) : [{ bind: flags.endpoint, connect: flags.endpoint }];
    const etcdBin = elected ? await findOnPath('etcd', process.env.PATH ?? '') : undefined;
    if (elected && etcdBin === undefined) throw new EtcdNotFoundError(`--brokers ${flags.brokers} needs etcd to elect the leader`);

    const shutdown = waitForShutdown();
    const logArgs = [...(flags.debug ? ['--debug'] : []), '--log-level', flags['log-level'], '--log-format', flags['log-format']];
    const brokerNames = elected ? endpoints.map((_, i) => `broker${i + 1}`) : ['broker'];
    const nodeNames = Array.from({ length: flags.nodes }, (_, i) => `node${i + 1}`);
    const names = [...(elected ? ['etcd'] : []), ...brokerNames, ...nodeNames];
    const width = Math.max(...names.map((n) => n.length));
    const prefix = (name: string): string => `${ux.colorize(COLORS[names.indexOf(name) % COLORS.length], name.padEnd(width))} | `;
    const bin = (name: string): string => join(this.config.root, 'bin', `${name}.js`);
    const program = (name: string, kind: Kind, script: string, args: readonly string[]): Slot => ({
      name,
      kind,
      prefix: prefix(name),
      start: () => new SupervisedChild({ name, prefix: prefix(name), bin: bin(script), args, readyTimeoutMs: flags['ready-timeout'] }),
    });

    const brokerArgs = (endpoint: string, election: readonly string[]): string[] => [
      '--endpoint',
      endpoint,
      ...election,
      ...(flags['heartbeat-ms'] === undefined ? [] : ['--heartbeat-ms', String(flags['heartbeat-ms'])]),
      ...logArgs,
    ];

    const starting = (async () => {
      let electionArgs: string[] = [];
      if (etcdBin !== undefined) {
        const etcd = (this.etcd = await LocalEtcd.create(etcdBin));
        const slot: Slot = {
          name: 'etcd',
          kind: 'etcd',
          prefix: prefix('etcd'),
          start: () => etcd.start({ prefix: prefix('etcd'), readyTimeoutMs: flags['ready-timeout'], logLevel: flags['log-level'] }),
        };
        const { pid } = await this.spawn(slot).ready;
        this.logToStderr(`${slot.prefix}serving at ${etcd.url} (pid ${pid}, data directory ${etcd.dataDir})`);
        electionArgs = ['--etcd', etcd.url, '--cluster', ELECTION_NAME, '--lease-ttl', String(this.leaseTtlS)];
      }
      // One after another, so that the first one started is the one that leads at first.
      const brokers: { name: string; endpoint: string; pid: number }[] = [];
      for (const [i, name] of brokerNames.entries()) {
        const others = endpoints.filter((_, j) => j !== i).map((e) => e.connect);
        const election = elected ? [...electionArgs, '--peers', others.join(',')] : [];
        const slot = program(name, 'broker', 'run-broker', brokerArgs(endpoints[i]!.bind, election));
        const { endpoint, pid } = await this.spawn(slot).ready;
        // A restarted broker binds where the first one did (for `tcp://...:*`, the port it got), so the nodes find it.
        if (!elected) slot.start = program(name, 'broker', 'run-broker', brokerArgs(endpoint, [])).start;
        this.brokerEndpoints.set(name, endpoint);
        brokers.push({ name, endpoint, pid });
      }
      const list = brokers.map((b) => b.endpoint).join(',');
      const nodes = nodeNames.map((name) =>
        this.spawn(
          program(name, 'node', 'run-node', [
            '--broker',
            list,
            '--node-endpoint',
            nodeEndpointFor(brokers[0]!.endpoint, name),
            '--id',
            name,
            ...logArgs,
          ]),
        ),
      );
      await Promise.all(nodes.map((n) => n.ready));
      return brokers;
    })();

    const first = await Promise.race([starting, shutdown.then(() => undefined)]);
    starting.catch(() => undefined);
    if (first === undefined) {
      await this.stopAll();
      return;
    }
    this.up = true;
    if (elected) {
      // Which broker leads, for the banner: a node's ready line does not wait for one to.
      const leader = await Promise.race([this.leader(brokerNames, flags['ready-timeout']), shutdown.then(() => 'stopping' as const)]);
      if (leader !== 'stopping') this.printHowToTryElected(first, typeof leader === 'object' ? leader.name : undefined, flags.nodes);
    } else {
      this.printHowToTry(first[0]!.endpoint, flags.nodes);
    }

    // Run until a signal, or until a process keeps exiting however often it is restarted.
    const why = await Promise.race([shutdown, this.gaveUp]);
    await this.stopAll();
    if (why !== 'SIGINT' && why !== 'SIGTERM' && why !== 'parent-disconnected') this.error(why, { exit: 1 });
  }

  protected override async catch(err: Error & { code?: unknown }): Promise<never> {
    await this.stopAll();
    return super.catch(err);
  }

  /** Starts the slot's process, unless the cluster is stopping, and has it started again should it exit. */
  private spawn(slot: Slot): Supervised {
    if (this.stopping) throw new Error(`the cluster is stopping: ${slot.name} is not started`);
    const child = slot.start();
    this.children.set(slot.name, { slot, child });
    void child.exited.then(({ code, signal }) => this.onExit(slot, signal ?? `code ${String(code)}`));
    return child;
  }

  private onExit(slot: Slot, how: string): void {
    if (this.stopping) return;
    if (!this.up) {
      this.logToStderr(`${slot.prefix}exited (${how})`);
      return;
    }
    const now = Date.now();
    const recent = [...(this.restarts.get(slot.name) ?? []), now].filter((at) => now - at < RESTART_WINDOW_MS);
    this.restarts.set(slot.name, recent);
    if (recent.length > MAX_RESTARTS) {
      this.logToStderr(`${slot.prefix}exited (${how}); not restarting it`);
      this.giveUp(
        `${slot.name} exited ${recent.length} times within ${RESTART_WINDOW_MS / 1000} s; every process of the cluster is stopped`,
      );
      return;
    }
    const count = `restart ${recent.length} of at most ${MAX_RESTARTS} a minute`;
    if (slot.kind === 'broker' && this.etcd !== undefined) {
      this.restartBrokerOnceAnotherLeads(slot, how, count).catch((err: unknown) => {
        this.logToStderr(`${slot.prefix}cannot tell which broker leads (${String(err)}); restarting ${slot.name}`);
        this.restart(slot);
      });
      return;
    }
    const note = slot.kind === 'etcd' ? ': while it is down, no broker can be elected or renew its lease' : '';
    this.logToStderr(`${slot.prefix}exited (${how}); restarting it (${count})${note}`);
    this.restart(slot);
  }

  /**
   * A broker of an elected cluster exited. Had it led, a standby takes over once its etcd lease
   * lapses; it is started again only once another broker leads, so that it comes back as a standby
   * rather than racing the standby for the leadership. Without another broker running, at once.
   */
  private async restartBrokerOnceAnotherLeads(slot: Slot, how: string, count: string): Promise<void> {
    const others = [...this.children.values()]
      .filter(({ slot: other, child }) => other.kind === 'broker' && other.name !== slot.name && child.running)
      .map(({ slot: other }) => other.name);
    if (others.length === 0) {
      this.logToStderr(`${slot.prefix}exited (${how}); no other broker runs: restarting it (${count})`);
      this.restart(slot);
      return;
    }
    this.logToStderr(
      `${slot.prefix}exited (${how}); restarting it once another broker leads (${count}): a standby takes over within about the lease TTL (${this.leaseTtlS} s)`,
    );
    const waitMs = Math.max(15_000, this.leaseTtlS * 5_000);
    const leader = await this.leader(others, waitMs);
    if (this.stopping) return;
    if (leader === 'none running') {
      this.logToStderr(`${slot.prefix}no other broker runs any more; restarting ${slot.name}`);
    } else if (leader === undefined) {
      this.logToStderr(`${slot.prefix}no other broker leads after ${waitMs / 1000} s; restarting ${slot.name} anyway`);
    } else {
      this.logToStderr(`${slot.prefix}${leader.name} leads now (${leader.endpoint}); restarting ${slot.name} as a standby`);
    }
    this.restart(slot);
  }

  private restart(slot: Slot): void {
    if (this.stopping) return;
    const again = this.spawn(slot);
    again.ready.then(
      (ready) => this.logToStderr(`${slot.prefix}restarted (pid ${String(ready.pid)})`),
      (err: Error) => this.logToStderr(`${slot.prefix}${err.message}`),
    );
  }

  /**
   * The broker among `names` that says it leads, asked every LEADER_POLL_MS until one does or
   * `timeoutMs` has passed (undefined then, or once the cluster is stopping); 'none running' once
   * none of them runs.
   */
  private async leader(
    names: readonly string[],
    timeoutMs: number,
  ): Promise<{ name: string; endpoint: string } | 'none running' | undefined> {
    // Loaded here, not at the top, so that `--help` never loads zeromq.
    const { Brainer } = await import('@brainer/client');
    const deadline = performance.now() + timeoutMs;
    while (!this.stopping) {
      const running = names.filter((name) => this.children.get(name)?.child.running === true);
      if (running.length === 0) return 'none running';
      const asked = await Promise.all(
        running.map(async (name) => {
          const endpoint = this.brokerEndpoints.get(name) ?? '';
          const client = new Brainer(endpoint, { timeoutMs: 1000, reads: 'broker', followLeader: false });
          return { name, ...(await askBrokerRole(endpoint, client)) };
        }),
      );
      const leading = asked.find((broker) => broker.role === 'leader');
      if (leading !== undefined) return leading;
      if (performance.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
    }
    return undefined;
  }

  private stopping = false;
  /** Whether every process has been ready once: from then on, one that exits is restarted. */
  private up = false;
  /** When each process exited, by name, for the restart limit. */
  private readonly restarts = new Map<string, number[]>();
  private giveUp: (why: string) => void = () => undefined;
  private readonly gaveUp = new Promise<string>((resolve) => (this.giveUp = resolve));

  private async stopAll(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const all = [...this.children.values()];
    const running = all.filter(({ child }) => child.running);
    if (running.length > 0) {
      process.stderr.write(`stopping ${running.map(({ child }) => `${child.name} (pid ${String(child.pid)})`).join(', ')}\n`);
    }
    const stop = (kind: Kind): Promise<unknown> =>
      Promise.all(all.filter(({ slot }) => slot.kind === kind).map(({ child }) => child.stop()));
    // Nodes first, so that they can unregister from a broker that is still there; etcd last, so
    // that the brokers can give up their leadership in it.
    await stop('node');
    await stop('broker');
    await stop('etcd');
    if (this.etcd !== undefined) {
      await this.etcd.removeDataDir();
      process.stderr.write(`removed etcd's data directory ${this.etcd.dataDir}\n`);
    }
  }

  private printHowToTry(endpoint: string, nodes: number): void {
    const broker = endpoint === DEFAULT_BROKER_ENDPOINT ? '' : ` --broker ${endpoint}`;
    this.writeLine(
      [
        '',
        `Brainer is up: a broker on ${endpoint} and ${nodes} node${nodes === 1 ? '' : 's'}. In another terminal, try:`,
        '',
        `  npx brainer-cli set hello world${broker}`,
        `  npx brainer-cli get hello${broker}`,
        `  npx brainer-cli nodes${broker}`,
        '',
        'Press Ctrl-C to stop them all.',
        '',
      ].join('\n'),
    );
  }

  private printHowToTryElected(
    brokers: readonly { name: string; endpoint: string; pid: number }[],
    leader: string | undefined,
    nodes: number,
  ): void {
    const list = brokers.map((b) => b.endpoint).join(',');
    const width = Math.max(...brokers.map((b) => b.endpoint.length));
    this.writeLine(
      [
        '',
        `Brainer is up: etcd at ${this.etcd?.url ?? '?'}, ${brokers.length} brokers elected on it, and ${nodes} node${nodes === 1 ? '' : 's'}.`,
        '',
        ...brokers.map(
          (b) =>
            `  ${b.name}  ${b.endpoint.padEnd(width)}  pid ${b.pid}  ${b.name === leader ? 'leads' : leader === undefined ? 'no leader yet' : 'stands by'}`,
        ),
        '',
        `Clients take every broker: --broker ${list}`,
        `(or BRAINER_BROKER=${list}). In another terminal, try:`,
        '',
        `  npx brainer-cli set hello world --broker ${list}`,
        `  npx brainer-cli get hello --broker ${list}`,
        `  npx brainer-cli brokers --broker ${list}`,
        `  npx brainer-cli nodes --broker ${list}`,
        '',
        `Kill the leading broker (kill -9 PID): a standby takes over within about the lease TTL (${this.leaseTtlS} s), and the killed one comes back as a standby.`,
        'Press Ctrl-C to stop them all.',
        '',
      ].join('\n'),
    );
  }
}
