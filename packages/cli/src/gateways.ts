import type { Logger } from '@brainer/protocol';
import { GatewayChild } from './gateway-child.js';
import { gatewayArgs, wantsGateways, type GatewayFlags } from './gateway-flags.js';
import type { Service } from './serve-until-shutdown.js';

export { gatewayFlags } from './gateway-flags.js';

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
  /** run-gateway's arguments beyond the gateway flags and --broker: limits, --ipc-mode, logging, CURVE keys. */
  args: readonly string[];
  /**
   * The brokers the gateway is given, from the broker's bound endpoint: that endpoint alone, or
   * with standby brokers, it and the others (`run-broker --peers`). Default: the endpoint alone.
   */
  brokers?: (endpoint: string) => readonly string[];
}

/**
 * The broker plus the gateways its flags ask for, in a `run-gateway` child process that is a client
 * of the broker's endpoint (and, with standby brokers, of theirs: it follows the leader). It starts
 * once the broker serves and stops before it does.
 */
export class BrokerWithGateways implements Service {
  private gateway: GatewayChild | undefined;

  constructor(
    private readonly broker: Service & { readonly endpoint: string },
    private readonly flags: GatewayFlags,
    private readonly settings: GatewaySettings,
  ) {}

  async start(): Promise<void> {
    await this.broker.start();
    if (!wantsGateways(this.flags)) return;
    const brokers = this.settings.brokers?.(this.broker.endpoint) ?? [this.broker.endpoint];
    this.gateway = new GatewayChild(
      ['--broker', brokers.join(','), ...gatewayArgs(this.flags), ...this.settings.args],
      this.settings.logger,
    );
    try {
      await this.gateway.start();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** The ready line's fields for the gateways that run. */
  get readyFields(): { http?: string; json?: string } {
    return this.gateway?.readyFields ?? {};
  }

  async close(): Promise<void> {
    await this.gateway?.close();
    await this.broker.close();
  }
}
