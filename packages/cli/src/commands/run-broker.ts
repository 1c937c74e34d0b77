import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { claimIpcEndpoint, rememberIpcSocket } from '../ipc-socket.js';
import { formatReadyLine } from '../ready-line.js';
import { serveUntilShutdown } from '../serve-until-shutdown.js';
import { brokerTuningFlags, definedOnly, limitsFromFlags } from '../server-flags.js';

export default class RunBrokerCommand extends BaseCommand {
  static override summary = 'Run a broker in the foreground.';
  static override description = `The broker is the cluster's one entry point for clients and nodes. Once it is serving, it prints one JSON line holding "event":"ready" on stdout; logs go to stderr. SIGINT or SIGTERM closes it and exits 0.

An ipc endpoint whose socket file is left over from an earlier run is reused; one on which a live process still answers is refused with EADDRINUSE.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --endpoint tcp://127.0.0.1:5555 --heartbeat-ms 250',
    '<%= config.bin %> <%= command.id %> --endpoint "tcp://127.0.0.1:*" --log-format json',
  ];
  static override flags = {
    endpoint: endpointFlag({
      description: 'Endpoint to bind. `tcp://127.0.0.1:*` picks a free port; the ready line gives the real one.',
      default: DEFAULT_BROKER_ENDPOINT,
    }),
    'heartbeat-ms': Flags.integer({
      description: 'Heartbeat interval in milliseconds, both ways. A node is dropped after 3 missed beats. Default 500.',
      min: 1,
      helpValue: '<ms>',
    }),
    ...brokerTuningFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RunBrokerCommand);
    const logger = this.createLogger(flags, 'broker');
    try {
      if ((await claimIpcEndpoint(flags.endpoint)) === 'removed-stale') {
        logger.info('removed a stale ipc socket file', { endpoint: flags.endpoint });
      }
      const { Broker } = await import('@brainer/broker');
      const broker = new Broker({
        endpoint: flags.endpoint,
        logger,
        ...definedOnly({
          heartbeatMs: flags['heartbeat-ms'],
          heartbeatLiveness: flags['heartbeat-liveness'],
          leaseMs: flags['lease-ms'],
          readTimeoutMs: flags['read-timeout-ms'],
          limits: limitsFromFlags(flags),
        }),
      });
      let removeSocket = async (): Promise<void> => undefined;
      await serveUntilShutdown(broker, {
        logger,
        onStarted: async () => {
          removeSocket = await rememberIpcSocket(broker.endpoint);
        },
        onReady: () => this.writeLine(formatReadyLine({ event: 'ready', role: 'broker', endpoint: broker.endpoint, pid: process.pid })),
      });
      await removeSocket();
    } finally {
      logger.close();
    }
  }
}
