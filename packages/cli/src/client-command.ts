import type { Brainer } from '@brainer/client';
import { BrainerError, isErrorCode } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { BaseCommand } from './base-command.js';
import { curveClientFlags, curveClientKeys, type CurveClientFlagValues } from './curve-flags.js';
import { DEFAULT_BROKER_ENDPOINT, endpointFlag } from './endpoint-flag.js';

/** The flags of every command that talks to a broker. */
export const clientFlags = {
  broker: endpointFlag({
    description: `Broker endpoint. Also settable as the first argument, as in \`brainer-cli ipc:///tmp/broker.sock get k\`.`,
    env: 'BRAINER_BROKER',
    default: DEFAULT_BROKER_ENDPOINT,
    helpGroup: 'CONNECTION',
  }),
  json: Flags.boolean({ description: 'Print the result as JSON.', default: false }),
  timeout: Flags.integer({
    description: 'Milliseconds to wait for the broker before failing with ERR_TIMEOUT.',
    default: 5000,
    min: 1,
    helpValue: '<ms>',
    helpGroup: 'CONNECTION',
  }),
  ...curveClientFlags,
};

/**
 * `--node`, for the commands that may talk straight to one node (get, set, del, keys): a standalone
 * node serves them all; a node of a cluster serves reads and refuses writes with ERR_WRONG_ROLE.
 */
export const directFlags = {
  node: endpointFlag({
    description:
      'Talk straight to this node endpoint instead of a broker (direct mode). With CURVE, --broker-key is then the node public key.',
    helpGroup: 'CONNECTION',
  }),
};

const CURVE_HINT = "; with CURVE, a broker that refuses this client's key, or a wrong --broker-key, also looks like this";

/** A command that connects a client to the broker, runs, and always closes the client. */
export abstract class ClientCommand extends BaseCommand {
  protected async withClient<T>(
    flags: { broker: string; timeout: number; node?: string | undefined } & CurveClientFlagValues,
    use: (client: Brainer) => Promise<T>,
  ): Promise<T> {
    const curve = await curveClientKeys(flags);
    // Loaded here, not at the top, so that `--help` and the other commands never load zeromq.
    const { Brainer } = await import('@brainer/client');
    const options = { timeoutMs: flags.timeout, ...(curve === undefined ? {} : { curve }) };
    // A one-shot command gains nothing from connecting to every node, and this way it works where
    // only the broker can be reached: its reads go through the broker.
    const client =
      flags.node === undefined ? new Brainer(flags.broker, { ...options, reads: 'broker' }) : Brainer.direct(flags.node, options);
    const target = flags.node === undefined ? `the broker at ${flags.broker}` : `the node at ${flags.node}`;
    try {
      try {
        await client.connect();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const reason = err instanceof Error ? err.message : String(err);
        throw new BrainerError(
          typeof code === 'string' && isErrorCode(code) ? code : 'ERR_NOT_CONNECTED',
          `cannot reach ${target} (${reason})${curve === undefined ? '' : CURVE_HINT}`,
          { cause: err },
        );
      }
      return await use(client);
    } finally {
      await client.close().catch(() => undefined);
    }
  }
}
