import { bucketArg, itemArg, valueArg } from '../../args.js';
import { ClientCommand, clientFlags } from '../../client-command.js';
import { readValue, valueFlags } from '../../value-input.js';
import { ttlFlag, ttlOption, waitFlag } from '../../write-flags.js';

export default class BucketSetCommand extends ClientCommand {
  static override summary = 'Store one item of a bucket (the key {BUCKET}ITEM). Prints OK.';
  static override description = `Without VALUE, the value comes from standard input or --value-file, as with set.`;
  static override examples = [
    `<%= config.bin %> <%= command.id %> customer:42 contacts '{"email":"ada@example.com"}'`,
    '<%= config.bin %> <%= command.id %> cart:7 item:3 2 --ttl 3600000',
    '<%= config.bin %> <%= command.id %> customer:42 photo < photo.jpg',
  ];
  static override args = { bucket: bucketArg, item: itemArg, value: valueArg };
  static override flags = { ...clientFlags, ...valueFlags, wait: waitFlag(), ttl: ttlFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BucketSetCommand);
    const value = await readValue(args.value, flags);
    await this.withClient(flags, (client) =>
      client.bucket(args.bucket).set(args.item, value, { wait: flags.wait, ...ttlOption(flags.ttl) }),
    );
    this.writeLine(flags.json ? JSON.stringify({ bucket: args.bucket, item: args.item, ok: true }) : 'OK');
  }
}
