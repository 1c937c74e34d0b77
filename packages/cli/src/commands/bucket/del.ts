import { bucketArg, itemArg } from '../../args.js';
import { ClientCommand, clientFlags } from '../../client-command.js';
import { waitFlag } from '../../write-flags.js';

export default class BucketDelCommand extends ClientCommand {
  static override summary = 'Delete one item of a bucket. Prints 1 if it existed, else 0.';
  static override examples = ['<%= config.bin %> <%= command.id %> customer:42 favourites'];
  static override args = { bucket: bucketArg, item: itemArg };
  static override flags = { ...clientFlags, wait: waitFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BucketDelCommand);
    const deleted = await this.withClient(flags, (client) => client.bucket(args.bucket).del(args.item, { wait: flags.wait }));
    this.writeLine(flags.json ? JSON.stringify({ bucket: args.bucket, item: args.item, deleted }) : deleted ? '1' : '0');
  }
}
