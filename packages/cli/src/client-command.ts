import type { Brainer, BrainerOptions } from '@brainer/client';
import { RemoteError } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { BaseCommand } from './base-command.js';
import { curveClientFlags, curveClientKeys, type CurveClientFlagValues } from './curve-flags.js';
import { brokerListFlag, brokersTarget } from './broker-list-flag.js';
import { allowForeignSocketFlags, DEFAULT_BROKER_ENDPOINT, endpointFlag } from './endpoint-flag.js';
import { errorInContext } from './errors.js';

/** The flags of every command that talks to a broker. */
export const clientFlags = {
  broker: brokerListFlag({
    description: `Broker endpoint, or several separated by commas (one leads, the others stand by: the client follows the leader). Also settable as the first argument, as in \`brainer-cli ipc:///tmp/broker.sock get k\`.`,
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
  ...allowForeignSocketFlags,
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

type ClientOptions = Pick<BrainerOptions, 'timeoutMs' | 'allowForeignSocket'> & Partial<Pick<BrainerOptions, 'curve'>>;

/** A command that connects clients to the broker, runs, and always closes them. */
export abstract class ClientCommand extends BaseCommand {
  /** Connects one client (to the broker, or with `--node` straight to that node), runs `use`, and closes it. */
  protected async withClient<T>(
    flags: { broker: string; timeout: number; node?: string | undefined; 'allow-foreign-socket': boolean } & CurveClientFlagValues,
    use: (client: Brainer) => Promise<T>,
  ): Promise<T> {
    const target = flags.node === undefined ? brokersTarget(flags.broker) : `the node at ${flags.node}`;
    return this.withConnected(
      flags,
      flags.node ?? flags.broker,
      target,
      // A one-shot command gains nothing from connecting to every node, and this way it works where
      // only the broker can be reached: its reads go through the broker.
      (Client, options) => [
        flags.node === undefined ? new Client(flags.broker, { ...options, reads: 'broker' }) : Client.direct(flags.node, options),
      ],
      ([client]) => use(client!),
    );
  }

  /**
   * Connects `count` clients of the broker, each with its own connection, runs `use`, and closes them
   * all. Under CURVE, direct reads need `nodeServerKey`, the nodes' public key.
   */
  protected async withClients<T>(
    flags: { broker: string; timeout: number; 'allow-foreign-socket': boolean } & CurveClientFlagValues,
    count: number,
    reads: { reads: BrainerOptions['reads']; nodeServerKey?: string | undefined },
    use: (clients: Brainer[]) => Promise<T>,
  ): Promise<T> {
    return this.withConnected(
      flags,
      flags.broker,
      brokersTarget(flags.broker),
      (Client, options) =>
        Array.from(
          { length: count },
          () =>
            new Client(flags.broker, {
              ...options,
              reads: reads.reads,
              ...(options.curve === undefined ? {} : { curve: { ...options.curve, nodeServerKey: reads.nodeServerKey } }),
            }),
        ),
      use,
    );
  }

  /**
   * Makes the clients, connects them all, runs `use`, and always closes them. A client that cannot
   * connect fails the command with its error's code (ERR_NOT_CONNECTED when it has none) and a
   * message naming `target`; so does any server answer (RemoteError) of `use` that does not name `endpoint`.
   */
  private async withConnected<T>(
    flags: { timeout: number; 'allow-foreign-socket': boolean } & CurveClientFlagValues,
    endpoint: string,
    target: string,
    make: (Client: typeof Brainer, options: ClientOptions) => Brainer[],
    use: (clients: Brainer[]) => Promise<T>,
  ): Promise<T> {
    const curve = await curveClientKeys(flags);
    // Loaded here, not at the top, so that `--help` and the other commands never load zeromq.
    const { Brainer } = await import('@brainer/client');
    const clients = make(Brainer, {
      timeoutMs: flags.timeout,
      allowForeignSocket: flags['allow-foreign-socket'],
      ...(curve === undefined ? {} : { curve }),
    });
    try {
      await Promise.all(
        clients.map((client) =>
          client.connect().catch((err: unknown) => {
            throw errorInContext(
              err,
              (reason) => `cannot reach ${target} (${reason})${curve === undefined ? '' : CURVE_HINT}`,
              'ERR_NOT_CONNECTED',
            );
          }),
        ),
      );
      return await use(clients).catch((err: unknown) => {
        // A server's answer does not say who gave it; the client's own refusals (a bad key) come from no server.
        if (!(err instanceof RemoteError) || err.message.includes(endpoint)) throw err;
        throw errorInContext(err, (reason) => `${reason} (from ${target})`, err.code);
      });
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    }
  }
}
