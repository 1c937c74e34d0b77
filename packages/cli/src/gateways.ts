import type { Brainer } from '@brainer/client';
import type { HttpGateway, JsonGateway } from '@brainer/gateway';
import { DEFAULT_LIMITS, type Limits, type Logger } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { endpointFlag } from './endpoint-flag.js';
import { claimIpcEndpoint, rememberIpcSocket } from './ipc-socket.js';
import type { Service } from './serve-until-shutdown.js';

/** run-broker's flags for the HTTP gateway and the JSON endpoint. */
export const gatewayFlags = {
  http: Flags.integer({
    description: 'Also serve the HTTP REST gateway on this TCP port (0 picks a free one; the ready line gives the URL).',
    min: 0,
    max: 65_535,
    helpValue: '<port>',
    helpGroup: 'GATEWAYS',
  }),
  'http-host': Flags.string({
    description:
      'Address the HTTP gateway binds. Default 127.0.0.1: this host only. It asks for no key: anyone who reaches it reads and writes.',
    dependsOn: ['http'],
    helpValue: '<host>',
    helpGroup: 'GATEWAYS',
  }),
  'json-endpoint': endpointFlag({
    description: 'Also serve JSON ops (PUT, GET_ONE, GET_ALL, DELETE) to plain ZeroMQ REQ sockets on this endpoint. It asks for no key.',
    helpGroup: 'GATEWAYS',
  }),
};

export interface GatewayFlags {
  http?: number;
  'http-host'?: string;
  'json-endpoint'?: string;
}

export function wantsGateways(flags: GatewayFlags): boolean {
  return flags.http !== undefined || flags['json-endpoint'] !== undefined;
}

/**
 * The allowlist the broker needs when it runs gateways under CURVE: the gateways' client connects
 * with the broker's own key pair, so that key is admitted too.
 */
export function allowlistWithGateways(
  curve: { publicKey: string; allowedClientKeys: Set<string> } | undefined,
  flags: GatewayFlags,
): Set<string> | undefined {
  if (curve === undefined || !wantsGateways(flags)) return curve?.allowedClientKeys;
  return new Set([...curve.allowedClientKeys, curve.publicKey]);
}

export interface GatewaySettings {
  logger: Logger;
  /** The broker's size limits; undefined for the defaults. */
  limits: Limits | undefined;
  ipcSocketMode: number | undefined;
  /** The broker's key pair under CURVE, for the gateways' client. */
  curve: { publicKey: string; secretKey: string } | undefined;
}

/**
 * The broker plus the gateways its flags ask for. They start once the broker serves, talking to it
 * through one client of its own endpoint, and close before it does.
 */
export class BrokerWithGateways implements Service {
  private client: Brainer | undefined;
  private http: HttpGateway | undefined;
  private json: JsonGateway | undefined;
  private removeJsonSocket = async (): Promise<void> => undefined;

  constructor(
    private readonly broker: Service & { readonly endpoint: string },
    private readonly flags: GatewayFlags,
    private readonly settings: GatewaySettings,
  ) {}

  async start(): Promise<void> {
    await this.broker.start();
    if (!wantsGateways(this.flags)) return;
    try {
      await this.startGateways();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** The ready line's fields for the gateways that run. */
  get readyFields(): { http?: string; json?: string } {
    return { ...(this.http ? { http: this.http.url } : {}), ...(this.json ? { json: this.json.endpoint } : {}) };
  }

  async close(): Promise<void> {
    await Promise.all([this.http?.close(), this.json?.close()]);
    await this.removeJsonSocket();
    await this.client?.close();
    await this.broker.close();
  }

  private async startGateways(): Promise<void> {
    const { logger, ipcSocketMode, curve } = this.settings;
    const limits = this.settings.limits ?? DEFAULT_LIMITS;
    const [{ Brainer }, { HttpGateway, JsonGateway }] = await Promise.all([import('@brainer/client'), import('@brainer/gateway')]);
    this.client = new Brainer(this.broker.endpoint, {
      logger,
      ...(curve ? { curve: { serverKey: curve.publicKey, publicKey: curve.publicKey, secretKey: curve.secretKey } } : {}),
    });
    if (curve) logger.warn('the HTTP gateway and the JSON endpoint ask for no key: whoever reaches them reads and writes');
    if (this.flags.http !== undefined) {
      this.http = new HttpGateway({
        client: this.client,
        port: this.flags.http,
        host: this.flags['http-host'] ?? '127.0.0.1',
        limits,
        logger,
      });
      await this.http.start();
    }
    const endpoint = this.flags['json-endpoint'];
    if (endpoint !== undefined) {
      if ((await claimIpcEndpoint(endpoint)) === 'removed-stale') logger.info('removed a stale ipc socket file', { endpoint });
      this.json = new JsonGateway({
        client: this.client,
        endpoint,
        limits,
        logger,
        ...(ipcSocketMode === undefined ? {} : { ipcSocketMode }),
      });
      await this.json.start();
      this.removeJsonSocket = await rememberIpcSocket(this.json.endpoint);
    }
  }
}
