import type { Brainer } from '@brainer/client';
import type { HttpGateway, JsonGateway } from '@brainer/gateway';
import { DEFAULT_LIMITS, formatReadyLine, type Limits, type Logger } from '@brainer/protocol';
import { BaseCommand } from '../base-command.js';
import { clientFlags } from '../client-command.js';
import { curveClientKeys, ipcModeFlags } from '../curve-flags.js';
import { UsageError } from '../errors.js';
import { gatewayFlags, wantsGateways, type GatewayFlags } from '../gateway-flags.js';
import { claimIpcEndpoint, rememberIpcSocket } from '../ipc-socket.js';
import { createMetricsRegistry } from '../metrics-server.js';
import { openFilesLimit } from '../open-files-limit.js';
import { serveUntilShutdown, type Service } from '../serve-until-shutdown.js';
import { definedOnly, limitFlags, limitsFromFlags } from '../server-flags.js';

export default class RunGatewayCommand extends BaseCommand {
  static override summary = 'Run the HTTP gateway and the JSON ops endpoint in front of a broker.';
  static override description = `The gateways are a client of the broker in a process of their own, so that no HTTP or JSON load can stall or kill the broker. Give --http, --json-endpoint or both. Once they serve, it prints one JSON line holding "event":"ready" (with "http" and "json") on stdout; logs go to stderr. SIGINT or SIGTERM closes them and exits 0; SIGHUP is logged and ignored.

The HTTP gateway also serves the live status page at / and its own Prometheus metrics at /metrics (brainer_gateway_* and the process's), on the same port; the ready line's "metrics" gives that URL.

Give the broker the same size limits (--max-value-bytes, ...) as the broker itself: bodies and frames are refused by them before they are read whole. run-broker --http and --json-endpoint start one of these for you.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --broker tcp://127.0.0.1:5555 --http 8080',
    '<%= config.bin %> <%= command.id %> --broker tcp://127.0.0.1:5555 --http 8080 --json-endpoint tcp://127.0.0.1:5560',
  ];
  static override flags = {
    broker: clientFlags.broker,
    timeout: clientFlags.timeout,
    'broker-key': clientFlags['broker-key'],
    'broker-key-file': clientFlags['broker-key-file'],
    'curve-key-file': clientFlags['curve-key-file'],
    ...gatewayFlags,
    ...ipcModeFlags,
    ...limitFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RunGatewayCommand);
    if (!wantsGateways(flags)) throw new UsageError('give --http, --json-endpoint or both: the gateways to serve');
    const logger = this.createLogger(flags, 'gateway');
    try {
      const curve = await curveClientKeys(flags);
      const { Brainer } = await import('@brainer/client');
      const client = new Brainer(flags.broker, { logger, timeoutMs: flags.timeout, ...(curve === undefined ? {} : { curve }) });
      if (curve) logger.warn('the HTTP gateway and the JSON endpoint ask for no key: whoever reaches them reads and writes');
      const gateways = new Gateways(client, flags, {
        logger,
        limits: limitsFromFlags(flags) ?? DEFAULT_LIMITS,
        ipcSocketMode: flags['ipc-mode'],
        maxConnections: maxConnections(flags['http-max-connections'], logger),
      });
      await serveUntilShutdown(gateways, {
        logger,
        onReady: () =>
          this.writeLine(
            formatReadyLine({
              event: 'ready',
              role: 'gateway',
              endpoint: gateways.readyFields.http ?? gateways.readyFields.json!,
              pid: process.pid,
              broker: flags.broker,
              ...gateways.readyFields,
              ...(gateways.readyFields.http === undefined ? {} : { metrics: `${gateways.readyFields.http}/metrics` }),
            }),
          ),
      });
    } finally {
      logger.close();
    }
  }
}

/** At most half the open-files limit, whatever was asked, so that the gateway's ZeroMQ client always finds descriptors. */
function maxConnections(asked: number | undefined, logger: Logger): number {
  const limit = openFilesLimit();
  const wanted = asked ?? 1000;
  if (limit === undefined || wanted <= Math.floor(limit / 2)) return wanted;
  const capped = Math.max(1, Math.floor(limit / 2));
  logger.warn('HTTP connections capped at half the open-files limit', { asked: wanted, openFilesLimit: limit, maxConnections: capped });
  return capped;
}

interface GatewaySettings {
  logger: Logger;
  limits: Limits;
  ipcSocketMode: number | undefined;
  maxConnections: number;
}

/** The gateways the flags ask for, over one client; the client closes with them. */
class Gateways implements Service {
  private http: HttpGateway | undefined;
  private json: JsonGateway | undefined;
  private removeJsonSocket = async (): Promise<void> => undefined;

  constructor(
    private readonly client: Brainer,
    private readonly flags: GatewayFlags,
    private readonly settings: GatewaySettings,
  ) {}

  get readyFields(): { http?: string; json?: string } {
    return { ...(this.http ? { http: this.http.url } : {}), ...(this.json ? { json: this.json.endpoint } : {}) };
  }

  async start(): Promise<void> {
    const { logger, limits, ipcSocketMode } = this.settings;
    const { HttpGateway, JsonGateway } = await import('@brainer/gateway');
    if (this.flags.http !== undefined) {
      const requestTimeoutMs = this.flags['http-request-timeout-ms'];
      this.http = new HttpGateway({
        client: this.client,
        port: this.flags.http,
        host: this.flags['http-host'] ?? '127.0.0.1',
        limits,
        logger,
        metrics: createMetricsRegistry(),
        ...definedOnly({ statusIntervalMs: this.flags['status-interval-ms'] }),
        maxConnections: this.settings.maxConnections,
        ...(requestTimeoutMs === undefined
          ? {}
          : { requestTimeoutMs, headersTimeoutMs: Math.min(10_000, Math.ceil(requestTimeoutMs / 3)) }),
      });
      await this.http.start();
    }
    const endpoint = this.flags['json-endpoint'];
    if (endpoint !== undefined) {
      if ((await claimIpcEndpoint(endpoint)) === 'removed-stale') logger.info('removed a stale ipc socket file', { endpoint });
      this.json = new JsonGateway({ client: this.client, endpoint, limits, logger, ...definedOnly({ ipcSocketMode }) });
      await this.json.start();
      this.removeJsonSocket = await rememberIpcSocket(this.json.endpoint);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.http?.close(), this.json?.close()]);
    await this.removeJsonSocket();
    await this.client.close();
  }
}
