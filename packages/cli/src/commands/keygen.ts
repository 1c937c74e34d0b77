import { generateCurveKeyPair, type CurveKeyPair } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { writeKeyFiles } from '../curve-key-files.js';
import { UsageError } from '../errors.js';

export default class KeygenCommand extends BaseCommand {
  static override summary = 'Write a new CURVE key pair: NAME.pub (the public key) and NAME.key (the pair, mode 0600).';
  static override description = `The keys secure a cluster over tcp: run-broker --curve-secret-file takes the broker's NAME.key, and its --allowed-keys file lists the NAME.pub keys of the nodes and clients allowed in (cat them together). Nodes and clients take their own NAME.key as --curve-key-file and the broker's broker.pub as --broker-key-file. All nodes of a cluster share one node key pair. Existing files are never replaced without --force.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --name broker --out keys',
    '<%= config.bin %> <%= command.id %> --name node --out keys',
    '<%= config.bin %> <%= command.id %> --name alice --out keys --json',
  ];
  static override flags = {
    out: Flags.string({
      description: 'Directory to write the files in; created with mode 700 if missing.',
      default: '.',
      helpValue: '<dir>',
    }),
    name: Flags.string({ description: 'Base name of the files: NAME.pub and NAME.key.', default: 'brainer', helpValue: '<name>' }),
    force: Flags.boolean({ description: 'Replace files that already exist.', default: false }),
    json: Flags.boolean({ description: 'Print the public key and the file paths as JSON.', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(KeygenCommand);
    if (!/^[\w.-]{1,100}$/.test(flags.name) || flags.name.startsWith('.')) {
      throw new UsageError(`--name must be 1 to 100 letters, digits, or _ . - (not starting with .), got ${JSON.stringify(flags.name)}`);
    }
    const pair = newKeyPair();
    const files = await writeKeyFiles(flags.out, flags.name, pair, flags.force);
    if (flags.json) {
      this.writeLine(JSON.stringify({ name: flags.name, publicKey: pair.publicKey, ...files }));
      return;
    }
    this.writeLine(`wrote ${files.secretKeyFile} (the key pair: keep it secret)`);
    this.writeLine(`wrote ${files.publicKeyFile} (the public key)`);
    this.writeLine(`public key: ${pair.publicKey}`);
  }
}

/** A new pair whose public key does not start with `#`, so that a key file never mistakes it for a comment. */
function newKeyPair(): CurveKeyPair {
  for (;;) {
    const pair = generateCurveKeyPair();
    if (!pair.publicKey.startsWith('#')) return pair;
  }
}
