import { join } from 'node:path';
import { Flags, ux } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { nodeEndpointFor } from '../node-endpoint.js';
import { SupervisedChild } from '../supervised-child.js';
import { waitForShutdown } from '../wait-for-shutdown.js';

const COLORS = ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red'] as const;
/** Restarts allowed per process within RESTART_WINDOW_MS; one more means it cannot run here, and the cluster stops. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

type SpawnOptions = ConstructorParameters<typeof SupervisedChild>[0];

export default class ClusterCommand extends BaseCommand {
  static override summary = 'Run a broker and N nodes in the foreground, with prefixed logs (what `npm start` runs).';
  static override description = `Starts run-broker and then N run-node processes, copies their output with a colored name in front of each line, waits until each is ready, and prints how to try the cluster. Ctrl-C (SIGINT) or SIGTERM stops every child and exits.

Once the cluster is up, a broker or node that exits is started again, with a line saying so: a restarted broker takes its nodes back (they keep their data), and a restarted node joins again. A process that exits more than ${MAX_RESTARTS} times within ${RESTART_WINDOW_MS / 1000} s is not started again: then every child is stopped and the command exits 1. A process that exits before the cluster is up stops it all at once, with exit 1.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --nodes 5 --endpoint tcp://127.0.0.1:5555',
  ];
  static override flags = {
    nodes: Flags.integer({ description: 'How many nodes to start.', default: 3, min: 1, max: 64 }),
    endpoint: endpointFlag({ description: 'Broker endpoint to bind.', default: DEFAULT_BROKER_ENDPOINT }),
    'heartbeat-ms': Flags.integer({ description: 'Heartbeat interval in milliseconds, passed to run-broker.', min: 1, helpValue: '<ms>' }),
    'ready-timeout': Flags.integer({
      description: 'Milliseconds to wait for each process to print its ready line.',
      default: 30_000,
      min: 1,
      helpValue: '<ms>',
    }),
  };

  private readonly children: SupervisedChild[] = [];

  async run(): Promise<void> {
    const { flags } = await this.parse(ClusterCommand);
    const shutdown = waitForShutdown();
    const logArgs = [...(flags.debug ? ['--debug'] : []), '--log-level', flags['log-level'], '--log-format', flags['log-format']];
    const names = ['broker', ...Array.from({ length: flags.nodes }, (_, i) => `node${i + 1}`)];
    const width = Math.max(...names.map((n) => n.length));
    const prefix = (name: string, i: number): string => `${ux.colorize(COLORS[i % COLORS.length], name.padEnd(width))} | `;
    const bin = (name: string): string => join(this.config.root, 'bin', `${name}.js`);

    const brokerArgs = (endpoint: string): string[] => [
      '--endpoint',
      endpoint,
      ...(flags['heartbeat-ms'] === undefined ? [] : ['--heartbeat-ms', String(flags['heartbeat-ms'])]),
      ...logArgs,
    ];

    const starting = (async () => {
      const broker = this.spawn({
        name: 'broker',
        prefix: prefix('broker', 0),
        bin: bin('run-broker'),
        args: brokerArgs(flags.endpoint),
        readyTimeoutMs: flags['ready-timeout'],
      });
      const { endpoint } = await broker.ready;
      // A restarted broker binds where the first one did (for `tcp://...:*`, the port it got), so the nodes find it.
      this.restartArgs.set('broker', brokerArgs(endpoint));
      const nodes = names.slice(1).map((name, i) =>
        this.spawn({
          name,
          prefix: prefix(name, i + 1),
          bin: bin('run-node'),
          args: ['--broker', endpoint, '--node-endpoint', nodeEndpointFor(endpoint, name), '--id', name, ...logArgs],
          readyTimeoutMs: flags['ready-timeout'],
        }),
      );
      await Promise.all(nodes.map((n) => n.ready));
      return endpoint;
    })();

    const first = await Promise.race([starting.then((endpoint) => ({ endpoint })), shutdown.then(() => undefined)]);
    starting.catch(() => undefined);
    if (first === undefined) {
      await this.stopAll();
      return;
    }
    this.printHowToTry(first.endpoint, flags.nodes);
    this.up = true;

    // Run until a signal, or until a process keeps exiting however often it is restarted.
    const why = await Promise.race([shutdown, this.gaveUp]);
    await this.stopAll();
    if (why !== 'SIGINT' && why !== 'SIGTERM' && why !== 'parent-disconnected') this.error(why, { exit: 1 });
  }

  protected override async catch(err: Error & { code?: unknown }): Promise<never> {
    await this.stopAll();
    return super.catch(err);
  }

  private spawn(options: SpawnOptions): SupervisedChild {
    const child = new SupervisedChild(options);
    const slot = this.children.findIndex((c) => c.name === options.name);
    if (slot === -1) this.children.push(child);
    else this.children[slot] = child;
    void child.exited.then(({ code, signal }) => {
      if (this.stopping) return;
      const how = signal ?? `code ${String(code)}`;
      if (!this.up) {
        this.logToStderr(`${options.prefix}exited (${how})`);
        return;
      }
      const now = Date.now();
      const recent = [...(this.restarts.get(options.name) ?? []), now].filter((at) => now - at < RESTART_WINDOW_MS);
      this.restarts.set(options.name, recent);
      if (recent.length > MAX_RESTARTS) {
        this.logToStderr(`${options.prefix}exited (${how}); not restarting it`);
        this.giveUp(
          `${options.name} exited ${recent.length} times within ${RESTART_WINDOW_MS / 1000} s; every process of the cluster is stopped`,
        );
        return;
      }
      this.logToStderr(`${options.prefix}exited (${how}); restarting it (restart ${recent.length} of at most ${MAX_RESTARTS} a minute)`);
      const again = this.spawn({ ...options, args: this.restartArgs.get(options.name) ?? options.args });
      again.ready.then(
        (ready) => this.logToStderr(`${options.prefix}restarted (pid ${String(ready.pid)})`),
        (err: Error) => this.logToStderr(`${options.prefix}${err.message}`),
      );
    });
    return child;
  }

  private stopping = false;
  /** Whether every process has been ready once: from then on, one that exits is restarted. */
  private up = false;
  /** When each process exited, by name, for the restart limit. */
  private readonly restarts = new Map<string, number[]>();
  /** Arguments for a restart, where they differ from the first start's. */
  private readonly restartArgs = new Map<string, readonly string[]>();
  private giveUp: (why: string) => void = () => undefined;
  private readonly gaveUp = new Promise<string>((resolve) => (this.giveUp = resolve));

  private async stopAll(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const running = this.children.filter((c) => c.running);
    if (running.length > 0) process.stderr.write(`stopping ${running.map((c) => `${c.name} (pid ${String(c.pid)})`).join(', ')}\n`);
    // Nodes first, so that they can unregister from a broker that is still there.
    const [broker, ...nodes] = this.children;
    await Promise.all(nodes.map((c) => c.stop()));
    await broker?.stop();
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
}
