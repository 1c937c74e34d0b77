import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { allowedKeys, ipcModeFlags } from '../curve-flags.js';
import { readKeyPairFile } from '../curve-key-files.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { claimIpcEndpoint } from '../ipc-socket.js';
import { memoryFlags, memoryOptionsFromFlags } from '../memory-flags.js';
import { DEFAULT_PARTITIONER, formatReadyLine, PARTITIONER_NAMES } from '@brainer/protocol';
import { UsageError } from '../errors.js';
import { electionFlags, electionOptionsFromFlags, gatewayBrokerList } from '../election-flags.js';
import { wantsGateways } from '../gateway-flags.js';
import { allowlistWithGateways, BrokerWithGateways, gatewayFlags } from '../gateways.js';
import { serveUntilShutdown } from '../serve-until-shutdown.js';
import { DEFAULT_METRICS_HOST, metricsFlags } from '../metrics-flags.js';
import { createMetricsRegistry, startMetricsServer, type MetricsServer } from '../metrics-server.js';
import { brokerTuningFlags, definedOnly, limitFlags, limitsFromFlags } from '../server-flags.js';

export default class RunBrokerCommand extends BaseCommand {
  static override summary = 'Run a broker in the foreground.';
  static override description = `The broker is the cluster's one entry point for clients and nodes. Once it is serving, it prints one JSON line holding "event":"ready" on stdout; logs go to stderr. SIGINT or SIGTERM closes it and exits 0. SIGHUP never stops it: it reloads the --allowed-keys file (a file that fails to load, or is unsafe, is logged and the old list kept).

The default endpoint is broker.sock in a private directory: $XDG_RUNTIME_DIR/brainer when that is set, else /run/brainer for root, else /tmp/brainer-UID; the broker creates it with mode 700 and refuses one that another user owns or others may enter (ERR_UNSAFE_ENDPOINT). An ipc endpoint whose socket file is left over from an earlier run is reused; one on which a live process still answers is refused with EADDRINUSE. The socket file gets mode 600 (owner only) unless --ipc-mode says otherwise, and is removed when the broker stops.

With --etcd, brokers campaign for leadership in etcd: one leads and serves, the others stand by and answer ERR_NOT_LEADER naming the leader, and one of them takes over when the leader dies, pauses past its lease or loses etcd. Give clients and nodes every broker: --broker E1,E2. Give each broker the others' endpoints as --peers: the gateway that --http or --json-endpoint starts is then a client of them all, and serves through whichever broker leads. (brainer-cli cluster --brokers 2 runs etcd, the brokers and nodes so, on one machine.)

With --curve-secret-file and --allowed-keys, the broker is a CURVE server: every connection is encrypted, and only clients and nodes whose public key is on the list get in; each refusal is logged. See brainer-cli keygen.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --endpoint tcp://127.0.0.1:5555 --heartbeat-ms 250',
    '<%= config.bin %> <%= command.id %> --endpoint "tcp://127.0.0.1:*" --log-format json',
    '<%= config.bin %> <%= command.id %> --partitioner rendezvous',
    '<%= config.bin %> <%= command.id %> --endpoint tcp://0.0.0.0:5555 --curve-secret-file keys/broker.key --allowed-keys keys/allowed-keys',
    '<%= config.bin %> <%= command.id %> --http 8080 --json-endpoint tcp://127.0.0.1:5560',
    '<%= config.bin %> <%= command.id %> --maxmemory 64mb --maxmemory-policy allkeys-lru',
    '<%= config.bin %> <%= command.id %> --metrics 9100',
    '<%= config.bin %> <%= command.id %> --endpoint tcp://127.0.0.1:5555 --etcd http://127.0.0.1:2379 --cluster shop',
    '<%= config.bin %> <%= command.id %> --endpoint tcp://127.0.0.1:5556 --etcd http://127.0.0.1:2379 --cluster shop --peers tcp://127.0.0.1:5555 --http 8080',
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
    partitioner: Flags.option({
      description:
        'How keys are placed on the ready nodes: a consistent hash ring, or rendezvous (highest random weight) hashing. Keys of one {hash tag} share a primary either way.',
      options: PARTITIONER_NAMES,
      default: DEFAULT_PARTITIONER,
    })(),
    ...brokerTuningFlags,
    'curve-secret-file': Flags.string({
      description:
        "The broker's key pair file, from keygen. Turns CURVE on: connections are encrypted, and only --allowed-keys get in. Refused if another user owns it or others may read it (chmod 600).",
      helpValue: '<file>',
      helpGroup: 'SECURITY',
    }),
    'allowed-keys': Flags.string({
      description:
        'With --curve-secret-file: the public keys of the nodes and clients allowed in, one Z85 key a line, # comments allowed. Reloaded on SIGHUP. Refused if another user owns it or others may write it.',
      helpValue: '<file>',
      helpGroup: 'SECURITY',
    }),
    ...ipcModeFlags,
    ...gatewayFlags,
    ...memoryFlags,
    ...metricsFlags,
    ...electionFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RunBrokerCommand);
    const logger = this.createLogger(flags, 'broker');
    let metricsServer: MetricsServer | undefined;
    try {
      const curve = await brokerCurveOptions(flags);
      if (curve !== undefined) {
        logger.info('CURVE on: only allowed keys get in', { publicKey: curve.publicKey, allowedKeys: curve.allowedClientKeys.size });
      }
      if ((await claimIpcEndpoint(flags.endpoint)) === 'removed-stale') {
        logger.info('removed a stale ipc socket file', { endpoint: flags.endpoint });
      }
      const { Broker, brokerHealth } = await import('@brainer/broker');
      const metrics = flags.metrics === undefined ? undefined : createMetricsRegistry();
      const broker = new Broker({
        endpoint: flags.endpoint,
        partitioner: flags.partitioner,
        logger,
        ...definedOnly({
          heartbeatMs: flags['heartbeat-ms'],
          heartbeatLiveness: flags['heartbeat-liveness'],
          leaseMs: flags['lease-ms'],
          readTimeoutMs: flags['read-timeout-ms'],
          startupWaitMs: flags['startup-wait-ms'],
          acceptDataLoss: flags['accept-data-loss'],
          backlogWrites: flags['backlog-writes'],
          backlogBytes: flags['backlog-bytes'],
          limits: limitsFromFlags(flags),
          ipcSocketMode: flags['ipc-mode'],
          curveSecretKey: curve?.secretKey,
          allowedClientKeys: allowlistWithGateways(curve, flags),
          metrics,
        }),
        ...memoryOptionsFromFlags(flags),
        ...electionOptionsFromFlags(flags),
      });
      if (flags.etcd !== undefined && flags.peers === undefined && wantsGateways(flags)) {
        logger.warn(
          'with --etcd, give --peers (the other brokers) too: the gateway is given this broker alone, and once a leader it was sent to dies, it cannot find the next one',
        );
      }
      const service = new BrokerWithGateways(broker, flags, {
        logger,
        args: runGatewayArgs(flags, curve),
        brokers: (endpoint) => gatewayBrokerList(endpoint, flags),
      });
      if (metrics)
        metricsServer = await startMetricsServer({
          host: flags['metrics-host'] ?? DEFAULT_METRICS_HOST,
          port: flags.metrics!,
          registry: metrics,
          health: () => brokerHealth(broker),
          logger,
        });
      await serveUntilShutdown(service, {
        logger,
        onReady: () =>
          this.writeLine(
            formatReadyLine({
              event: 'ready',
              role: 'broker',
              endpoint: broker.endpoint,
              pid: process.pid,
              ...service.readyFields,
              ...(metricsServer && { metrics: metricsServer.url }),
            }),
          ),
        onReload: async () => {
          const listFile = flags['allowed-keys'];
          if (curve === undefined || listFile === undefined) return undefined;
          const allowedClientKeys = await readAllowlist(listFile);
          broker.setAllowedClientKeys(allowlistWithGateways({ ...curve, allowedClientKeys }, flags) ?? allowedClientKeys);
          return { allowedKeys: allowedClientKeys.size, file: listFile };
        },
      });
    } finally {
      await metricsServer?.close();
      logger.close();
    }
  }
}

/** What run-broker passes on to its run-gateway beyond the gateway flags: the same limits, ipc mode and logging; under CURVE, its own key pair. */
function runGatewayArgs(
  flags: { 'curve-secret-file'?: string; 'ipc-mode'?: number; debug: boolean; 'log-level': string; 'log-format': string } & Record<
    string,
    unknown
  >,
  curve: { publicKey: string } | undefined,
): string[] {
  const limits = Object.keys(limitFlags).flatMap((name) => (flags[name] === undefined ? [] : [`--${name}`, String(flags[name])]));
  return [
    ...limits,
    ...(flags['ipc-mode'] === undefined ? [] : ['--ipc-mode', flags['ipc-mode'].toString(8).padStart(3, '0')]),
    ...(flags.debug ? ['--debug'] : []),
    ...['--log-level', flags['log-level'], '--log-format', flags['log-format']],
    ...(curve === undefined ? [] : ['--curve-key-file', flags['curve-secret-file']!, '--broker-key', curve.publicKey]),
  ];
}

/** The key pair and allowlist from --curve-secret-file and --allowed-keys, which go together; undefined without them. */
async function brokerCurveOptions(flags: {
  'curve-secret-file'?: string;
  'allowed-keys'?: string;
}): Promise<{ publicKey: string; secretKey: string; allowedClientKeys: Set<string> } | undefined> {
  const keyFile = flags['curve-secret-file'];
  const listFile = flags['allowed-keys'];
  if (keyFile === undefined && listFile === undefined) return undefined;
  if (keyFile === undefined) throw new UsageError('--allowed-keys needs --curve-secret-file: the allowlist is enforced through CURVE');
  if (listFile === undefined)
    throw new UsageError('--curve-secret-file needs --allowed-keys: the public keys of the nodes and clients allowed in');
  const pair = await readKeyPairFile(keyFile, '--curve-secret-file');
  return { ...pair, allowedClientKeys: await readAllowlist(listFile) };
}

/** The broker's --allowed-keys, at start and on SIGHUP. */
async function readAllowlist(listFile: string): Promise<Set<string>> {
  const keys = await allowedKeys(listFile);
  if (keys.size === 0) throw new UsageError(`--allowed-keys: ${listFile} lists no key, so no node or client could connect`);
  return keys;
}
