import { requireBucketName } from '@brainer/protocol';
import { Args } from '@oclif/core';
import { ClientCommand, clientFlags } from '../../client-command.js';
import { EXIT_FAILURE } from '../../errors.js';

export default class BucketGetCommand extends ClientCommand {
  static override summary = 'Print every item of a bucket, one "ITEM<tab>VALUE" line each, or (empty) with exit code 1.';
  static override description = `A bucket's items are the keys {BUCKET}ITEM. They share one primary node, which answers them all in one request. Items are printed sorted by name.`;
  static override examples = ['<%= config.bin %> <%= command.id %> customer:42', '<%= config.bin %> <%= command.id %> customer:42 --json'];
  static override args = {
    bucket: Args.string({ description: 'The bucket: not empty, no "}".', required: true, parse: async (name) => requireBucketName(name) }),
  };
  static override flags = { ...clientFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BucketGetCommand);
    const items = await this.withClient(flags, (client) => client.bucket(args.bucket).getAll());
    const sorted = [...items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (flags.json) this.writeLine(JSON.stringify({ bucket: args.bucket, items: Object.fromEntries(sorted) }));
    else if (sorted.length === 0) this.writeLine('(empty)');
    else for (const [item, value] of sorted) this.writeLine(`${item}\t${value}`);
    if (sorted.length === 0) this.exit(EXIT_FAILURE);
  }
}
