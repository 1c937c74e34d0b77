import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { claimIpcEndpoint, rememberIpcSocket } from '../ipc-socket.js';
import { formatReadyLine } from '../ready-line.js';
import { serveUntilShutdown } from '../serve-until-shutdown.js';
import { definedOnly, limitsFromFlags, nodeTuningFlags } from '../server-flags.js';

export default class RunNodeCommand extends BaseCommand {
  static override summary = 'Run a cache node in the foreground.';
  static override description = `The node binds its own endpoint, registers with the broker and heartbeats. Once it is serving, it prints one JSON line holding "event":"ready" on stdout; logs go to stderr. SIGINT or SIGTERM unregisters it and exits 0.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --broker tcp://127.0.0.1:5555 --node-endpoint "tcp://127.0.0.1:*" --id node1',
  ];
  static override flags = {
    broker: endpointFlag({
      description: 'Broker endpoint to register with.',
      env: 'BRAINER_BROKER',
      default: DEFAULT_BROKER_ENDPOINT,
    }),
    'node-endpoint': endpointFlag({
      description: "The node's own endpoint to bind. Default: an ipc path under the OS temp dir, unique to the id.",
    }),
    id: Flags.string({
      description: 'Node id, unique in the cluster. Default: random, such as node-1a2b3c4d.',
      helpValue: '<id>',
    }),
    ...nodeTuningFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RunNodeCommand);
    const logger = this.createLogger(flags, flags.id ?? 'node');
    try {
      const nodeEndpoint = flags['node-endpoint'];
      if (nodeEndpoint !== undefined && (await claimIpcEndpoint(nodeEndpoint)) === 'removed-stale') {
        logger.info('removed a stale ipc socket file', { endpoint: nodeEndpoint });
      }
      const { CacheNode } = await import('@brainer/node');
      const node = new CacheNode({
        brokerEndpoint: flags.broker,
        logger,
        ...definedOnly({
          nodeEndpoint,
          id: flags.id,
          snapshotChunkEntries: flags['snapshot-chunk-entries'],
          snapshotCredit: flags['snapshot-credit'],
          snapshotTimeoutMs: flags['snapshot-timeout-ms'],
          joinBufferWrites: flags['join-buffer-writes'],
          joinBufferBytes: flags['join-buffer-bytes'],
          limits: limitsFromFlags(flags),
        }),
      });
      let removeSocket = async (): Promise<void> => undefined;
      await serveUntilShutdown(node, {
        logger,
        onStarted: async () => {
          removeSocket = await rememberIpcSocket(node.endpoint);
        },
        onReady: () =>
          this.writeLine(
            formatReadyLine({ event: 'ready', role: 'node', id: node.id, endpoint: node.endpoint, broker: flags.broker, pid: process.pid }),
          ),
      });
      await removeSocket();
    } finally {
      logger.close();
    }
  }
}
