import type { LogEngine } from '@brainer/node';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { allowedKeys, curveClientFlags, curveClientKeys, ipcModeFlags } from '../curve-flags.js';
import { allowForeignSocketFlags, DEFAULT_BROKER_ENDPOINT, endpointFlag } from '../endpoint-flag.js';
import { brokerListFlag } from '../broker-list-flag.js';
import { claimIpcEndpoint } from '../ipc-socket.js';
import { formatReadyLine } from '@brainer/protocol';
import { UsageError } from '../errors.js';
import { serveUntilShutdown } from '../serve-until-shutdown.js';
import { DEFAULT_METRICS_HOST, metricsFlags } from '../metrics-flags.js';
import { createMetricsRegistry, startMetricsServer, type MetricsServer } from '../metrics-server.js';
import { definedOnly, limitsFromFlags, nodeTuningFlags } from '../server-flags.js';
import { logEngineOptions, persistenceFlags, storedNodeId, storeNodeId } from '../persistence-flags.js';

export default class RunNodeCommand extends BaseCommand {
  static override summary = 'Run a cache node in the foreground.';
  static override description = `The node binds its own endpoint, registers with the broker and heartbeats. Once it is serving, it prints one JSON line holding "event":"ready" on stdout; logs go to stderr. SIGINT or SIGTERM unregisters it and exits 0; SIGHUP never stops it: it reloads the --allowed-keys file. An ipc socket file gets mode 600 (owner only) unless --ipc-mode says otherwise, and is removed when the node stops. A broker socket that belongs to another user (not root) is refused with ERR_UNSAFE_ENDPOINT unless --allow-foreign-socket is given.

With --standalone the node serves clients by itself, with no broker: it takes writes (set, del, TTLs) as well as reads at its own endpoint, sequences them itself, and replicates nothing. Clients talk to it with \`brainer-cli --node ENDPOINT ...\` or \`Brainer.direct(endpoint)\`.

With --data-dir, the node keeps its data in a log in that directory and loads it when it starts again; it then registers with where its data is, and the broker has it catch up from its backlog (a partial resync) or, if that cannot be, join in full. It serves nothing before it has caught up. --fsync says when the log is synced to disk, and so what a machine crash may lose (see the README). The node id is kept in the directory too.

For a broker run with --curve-secret-file, give the node key pair (one for all the nodes of the cluster) as --curve-key-file and the broker's public key as --broker-key or --broker-key-file. The node's own endpoint is then a CURVE server too, with the node key pair: other nodes get in (to stream snapshots), and so do the keys in --allowed-keys, if given.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --broker tcp://127.0.0.1:5555 --node-endpoint "tcp://127.0.0.1:*" --id node1',
    '<%= config.bin %> <%= command.id %> --id node1 --data-dir /var/lib/brainer/node1 --fsync always',
    '<%= config.bin %> <%= command.id %> --broker tcp://10.0.0.1:5555,tcp://10.0.0.2:5555 --node-endpoint tcp://10.0.0.3:5556 --id node1',
    '<%= config.bin %> <%= command.id %> --broker tcp://10.0.0.1:5555 --node-endpoint tcp://10.0.0.2:5556 --curve-key-file keys/node.key --broker-key-file keys/broker.pub',
    '<%= config.bin %> <%= command.id %> --standalone --node-endpoint tcp://127.0.0.1:5556',
    '<%= config.bin %> <%= command.id %> --id node1 --metrics 9101',
  ];
  static override flags = {
    broker: brokerListFlag({
      description:
        "Broker endpoint to register with, or several separated by commas (E1,E2): one leads, the others stand by. The node talks to one at a time, follows a standby's ERR_NOT_LEADER to the leader, and moves to the next broker after a heartbeat liveness window of silence.",
      env: 'BRAINER_BROKER',
      default: DEFAULT_BROKER_ENDPOINT,
    }),
    'node-endpoint': endpointFlag({
      description: "The node's own endpoint to bind. Default: node-ID.sock in the private ipc directory, beside the broker's default.",
    }),
    standalone: Flags.boolean({
      description: 'Serve clients alone, with no broker: reads and writes at the node endpoint, sequenced by the node itself.',
      default: false,
    }),
    id: Flags.string({
      description: 'Node id, unique in the cluster. Default: random, such as node-1a2b3c4d.',
      helpValue: '<id>',
    }),
    ...nodeTuningFlags,
    ...persistenceFlags,
    ...curveClientFlags,
    'curve-key-file': Flags.string({
      description:
        "The node key pair file, from keygen, shared by all the nodes: the node's key towards the broker and for its own endpoint.",
      helpValue: '<file>',
      helpGroup: 'SECURITY',
    }),
    'allowed-keys': Flags.string({
      description:
        "With CURVE: public keys, besides the node key, allowed to connect to this node's endpoint (direct reads). One a line. Reloaded on SIGHUP.",
      helpValue: '<file>',
      helpGroup: 'SECURITY',
    }),
    ...ipcModeFlags,
    ...allowForeignSocketFlags,
    ...metricsFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RunNodeCommand);
    const logger = this.createLogger(flags, flags.id ?? 'node');
    let engine: LogEngine | undefined;
    let metricsServer: MetricsServer | undefined;
    try {
      const nodeEndpoint = flags['node-endpoint'];
      if (flags.standalone) refuseCurveFlags(flags);
      if (flags.standalone && flags.metrics !== undefined) throw new UsageError('--metrics is for a node in a cluster, not --standalone');
      const curve = await curveClientKeys(flags);
      if (flags['allowed-keys'] !== undefined && curve === undefined) {
        throw new UsageError('--allowed-keys needs --curve-key-file and --broker-key (or --broker-key-file)');
      }
      const extraKeys = flags['allowed-keys'] === undefined ? undefined : await allowedKeys(flags['allowed-keys']);
      if (curve !== undefined) {
        logger.info('CURVE on', { publicKey: curve.publicKey, brokerKey: curve.serverKey, extraAllowedKeys: extraKeys?.size ?? 0 });
      }
      const persistence = logEngineOptions(flags);
      if (flags.standalone && persistence !== undefined)
        throw new UsageError('--data-dir is for a node in a cluster; a standalone node keeps its data in memory only');
      const { CacheNode, LogEngine, StandaloneNode, nodeHealth, registerNodeMetrics } = await import('@brainer/node');
      engine =
        persistence &&
        LogEngine.open({
          ...persistence,
          // The node id is written once the log exists: with it there and no log, the log was lost.
          hadData: storedNodeId(persistence.dir) !== undefined,
          logger,
          // What is on disk stays a consistent older state; the node stops rather than go on unpersisted.
          onFailure: () => {
            process.exitCode = 1;
            process.kill(process.pid, 'SIGTERM');
          },
        });
      const options = {
        logger,
        ...definedOnly({
          engine,
          nodeEndpoint,
          id: flags.id ?? storedNodeId(persistence?.dir),
          snapshotChunkEntries: flags['snapshot-chunk-entries'],
          snapshotCredit: flags['snapshot-credit'],
          snapshotTimeoutMs: flags['snapshot-timeout-ms'],
          brokerSilenceMs: flags['broker-silence-ms'],
          joinBufferWrites: flags['join-buffer-writes'],
          joinBufferBytes: flags['join-buffer-bytes'],
          maxReplyBytes: flags['max-reply-bytes'],
          limits: limitsFromFlags(flags),
          ipcSocketMode: flags['ipc-mode'],
          allowForeignSocket: flags['allow-foreign-socket'],
          curveServerKey: curve?.serverKey,
          curvePublicKey: curve?.publicKey,
          curveSecretKey: curve?.secretKey,
          allowedClientKeys: extraKeys,
        }),
      };
      const node = flags.standalone ? new StandaloneNode(options) : new CacheNode({ brokerEndpoint: flags.broker, ...options });
      // The default endpoint (from the id) gets the same check as one given: a live node's socket is never taken over.
      if ((await claimIpcEndpoint(node.endpoint)) === 'removed-stale') {
        logger.info('removed a stale ipc socket file', { endpoint: node.endpoint });
      }
      if (node instanceof CacheNode) {
        node.events$.subscribe((event) => {
          // The node has left the cluster for good (the reason is logged): stop, and say so by the exit code.
          if (event.type !== 'node:failed') return;
          process.exitCode = 1;
          process.kill(process.pid, 'SIGTERM');
        });
      }
      storeNodeId(persistence?.dir, node.id);
      if (flags.metrics !== undefined && node instanceof CacheNode) {
        const registry = createMetricsRegistry();
        registerNodeMetrics(registry, node);
        metricsServer = await startMetricsServer({
          host: flags['metrics-host'] ?? DEFAULT_METRICS_HOST,
          port: flags.metrics,
          registry,
          health: () => nodeHealth(node),
          logger,
        });
      }
      await serveUntilShutdown(node, {
        logger,
        onReload: async () => {
          const listFile = flags['allowed-keys'];
          if (listFile === undefined || !(node instanceof CacheNode)) return undefined;
          const keys = await allowedKeys(listFile);
          node.setAllowedClientKeys(keys);
          return { allowedKeys: keys.size, file: listFile };
        },
        onReady: () =>
          this.writeLine(
            formatReadyLine({
              event: 'ready',
              role: 'node',
              id: node.id,
              endpoint: node.endpoint,
              ...(flags.standalone ? { standalone: true } : { broker: flags.broker }),
              pid: process.pid,
              ...(metricsServer && { metrics: metricsServer.url }),
            }),
          ),
      });
    } finally {
      await metricsServer?.close();
      await engine?.close();
      logger.close();
    }
  }
}

const CURVE_FLAGS = ['curve-key-file', 'broker-key', 'broker-key-file', 'allowed-keys'] as const;

/** A standalone node has no CURVE yet: say so rather than serve in the clear with keys given. */
function refuseCurveFlags(flags: Partial<Record<(typeof CURVE_FLAGS)[number], string>>): void {
  const given = CURVE_FLAGS.find((name) => flags[name] !== undefined);
  if (given !== undefined) {
    throw new UsageError(
      `--standalone does not take --${given}: a standalone node has no CURVE; keep it on ipc (owner-only) or a trusted network`,
    );
  }
}
