import { join } from 'node:path';
import { Flags, ux } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { nodeEndpointFor } from '../node-endpoint.js';
import { SupervisedChild } from '../supervised-child.js';
import { waitForShutdown } from '../wait-for-shutdown.js';

const COLORS = ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red'] as const;

export default class ClusterCommand extends BaseCommand {
  static override summary = 'Run a broker and N nodes in the foreground, with prefixed logs (what `npm start` runs).';
  static override description = `Starts run-broker and then N run-node processes, copies their output with a colored name in front of each line, waits until each is ready, and prints how to try the cluster. Ctrl-C (SIGINT) or SIGTERM stops every child and exits.`;
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

    const starting = (async () => {
      const broker = this.spawn({
        name: 'broker',
        prefix: prefix('broker', 0),
        bin: bin('run-broker'),
        args: [
          '--endpoint',
          flags.endpoint,
          ...(flags['heartbeat-ms'] === undefined ? [] : ['--heartbeat-ms', String(flags['heartbeat-ms'])]),
          ...logArgs,
        ],
        readyTimeoutMs: flags['ready-timeout'],
      });
      const { endpoint } = await broker.ready;
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

    // Run until a signal, or until every child has exited by itself.
    const allExited = Promise.all(this.children.map((c) => c.exited));
    const why = await Promise.race([shutdown, allExited.then(() => 'children-exited' as const)]);
    await this.stopAll();
    if (why === 'children-exited') this.error('every process of the cluster has exited', { exit: 1 });
  }

  protected override async catch(err: Error & { code?: unknown }): Promise<never> {
    await this.stopAll();
    return super.catch(err);
  }

  private spawn(options: ConstructorParameters<typeof SupervisedChild>[0]): SupervisedChild {
    const child = new SupervisedChild(options);
    this.children.push(child);
    void child.exited.then(({ code, signal }) => {
      if (!this.stopping) this.logToStderr(`${options.prefix}exited (${signal ?? `code ${String(code)}`})`);
    });
    return child;
  }

  private stopping = false;

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
