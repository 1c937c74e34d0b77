import { bucketArg } from '../../args.js';
import { ClientCommand, clientFlags } from '../../client-command.js';
import { EXIT_FAILURE } from '../../errors.js';
import { jsonValue, printableValue } from '../../value-output.js';

export default class BucketGetCommand extends ClientCommand {
  static override summary = 'Print every item of a bucket, one "ITEM<tab>VALUE" line each, or (empty) with exit code 1.';
  static override description = `A bucket's items are the keys {BUCKET}ITEM. They share one primary node, which answers them all in one request. Items are printed sorted by name. A value that is not valid UTF-8 is printed escaped, as with get.`;
  static override examples = ['<%= config.bin %> <%= command.id %> customer:42', '<%= config.bin %> <%= command.id %> customer:42 --json'];
  static override args = { bucket: bucketArg };
  static override flags = { ...clientFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BucketGetCommand);
    const items = await this.withClient(flags, (client) => client.bucket(args.bucket).getAllBuffers());
    const sorted = [...items].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (flags.json)
      this.writeLine(
        JSON.stringify({ bucket: args.bucket, items: Object.fromEntries(sorted.map(([item, value]) => [item, jsonValue(value)])) }),
      );
    else if (sorted.length === 0) this.writeLine('(empty)');
    else this.writeLines(sorted.map(([item, value]) => `${item}\t${printableValue(value)}`));
    if (sorted.length === 0) this.exit(EXIT_FAILURE);
  }
}
