import { InvalidOptionError, requireCurveKey, type CurveKeyPair } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { readKeyListFile, readKeyPairFile, readPublicKeyFile } from './curve-key-files.js';
import { UsageError } from './errors.js';

/** A flag holding a Z85 CURVE public key. A malformed key fails with ERR_INVALID_OPTION naming the flag. */
export const curveKeyFlag = Flags.custom<string>({
  helpValue: '<z85>',
  parse: async (input, _context, flag) => requireCurveKey(`--${flag.name}`, input),
});

/** A file mode in octal, such as 600 or 660. */
export const fileModeFlag = Flags.custom<number>({
  helpValue: '<octal>',
  parse: async (input, _context, flag) => {
    if (!/^0?[0-7]{3}$/.test(input))
      throw new InvalidOptionError(`--${flag.name}`, `must be an octal file mode such as 600 or 660, got ${input}`);
    return Number.parseInt(input, 8);
  },
});

const file = (description: string) => Flags.string({ description, helpValue: '<file>', helpGroup: 'SECURITY' });

/** `--ipc-mode`, taken by run-broker and run-node. */
export const ipcModeFlags = {
  'ipc-mode': fileModeFlag({
    description: 'File mode of the ipc socket file of the endpoint this process binds, in octal. Default 600: owner only.',
    helpGroup: 'SECURITY',
  }),
};

/** The flags of a CURVE client of the broker: the client commands and run-node. */
export const curveClientFlags = {
  'broker-key': curveKeyFlag({
    description: "The broker's CURVE public key (Z85), for a broker run with --curve-secret-file.",
    exclusive: ['broker-key-file'],
    helpGroup: 'SECURITY',
  }),
  'broker-key-file': file('A file holding the broker public key, such as broker.pub from keygen.'),
  'curve-key-file': file("A key pair file from keygen; its public key must be on the broker's --allowed-keys list."),
};

export interface CurveClientFlagValues {
  'broker-key'?: string;
  'broker-key-file'?: string;
  'curve-key-file'?: string;
}

/** The broker key and the key pair the flags name, or undefined when none is given. Both or neither. */
export async function curveClientKeys(flags: CurveClientFlagValues): Promise<(CurveKeyPair & { serverKey: string }) | undefined> {
  const keyFile = flags['curve-key-file'];
  const brokerKeyFile = flags['broker-key-file'];
  const brokerFlag = flags['broker-key'] !== undefined ? '--broker-key' : brokerKeyFile !== undefined ? '--broker-key-file' : undefined;
  if (keyFile === undefined && brokerFlag === undefined) return undefined;
  if (keyFile === undefined) throw new UsageError(`${brokerFlag} needs --curve-key-file: a CURVE client needs a key pair of its own`);
  if (brokerFlag === undefined) throw new UsageError("--curve-key-file needs --broker-key or --broker-key-file: the broker's public key");
  const serverKey = flags['broker-key'] ?? (await readPublicKeyFile(brokerKeyFile!, '--broker-key-file'));
  return { serverKey, ...(await readKeyPairFile(keyFile, '--curve-key-file')) };
}

/** The nodes' public key, for a CURVE client that reads straight from the nodes (`bench --reads direct`). */
export const curveNodeKeyFlags = {
  'node-key': curveKeyFlag({
    description: "With CURVE: the nodes' public key (Z85; the node key pair's, shared by every node), to read straight from the nodes.",
    exclusive: ['node-key-file'],
    helpGroup: 'SECURITY',
  }),
  'node-key-file': file("With CURVE: a file holding the nodes' public key, such as node.pub from keygen."),
};

export interface CurveNodeKeyFlagValues {
  'node-key'?: string;
  'node-key-file'?: string;
}

/** Whether the flags ask for CURVE to the broker (a key pair or a broker key); `curveClientKeys` checks they come together. */
export const curveRequested = (flags: CurveClientFlagValues): boolean =>
  flags['curve-key-file'] !== undefined || flags['broker-key'] !== undefined || flags['broker-key-file'] !== undefined;

/** The nodes' public key the flags name, or undefined when neither is given. */
export async function curveNodeKey(flags: CurveNodeKeyFlagValues): Promise<string | undefined> {
  if (flags['node-key'] !== undefined) return flags['node-key'];
  const keyFile = flags['node-key-file'];
  return keyFile === undefined ? undefined : readPublicKeyFile(keyFile, '--node-key-file');
}

/** Reads an `--allowed-keys` file. */
export async function allowedKeys(path: string): Promise<Set<string>> {
  return new Set(await readKeyListFile(path, '--allowed-keys'));
}
