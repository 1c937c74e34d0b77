import { requireBucketName } from '@brainer/protocol';
import { Args } from '@oclif/core';
import { ClientCommand, clientFlags } from '../../client-command.js';
import { ttlFlag, ttlOption, waitFlag } from '../../write-flags.js';

export default class BucketSetCommand extends ClientCommand {
  static override summary = 'Store one item of a bucket (the key {BUCKET}ITEM). Prints OK.';
  static override examples = [
    `<%= config.bin %> <%= command.id %> customer:42 contacts '{"email":"ada@example.com"}'`,
    '<%= config.bin %> <%= command.id %> cart:7 item:3 2 --ttl 3600000',
  ];
  static override args = {
    bucket: Args.string({ description: 'The bucket: not empty, no "}".', required: true, parse: async (name) => requireBucketName(name) }),
    item: Args.string({ description: 'The item.', required: true }),
    value: Args.string({ description: 'The value, stored as UTF-8.', required: true }),
  };
  static override flags = { ...clientFlags, wait: waitFlag(), ttl: ttlFlag };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BucketSetCommand);
    await this.withClient(flags, (client) =>
      client.bucket(args.bucket).set(args.item, args.value, { wait: flags.wait, ...ttlOption(flags.ttl) }),
    );
    this.writeLine(flags.json ? JSON.stringify({ bucket: args.bucket, item: args.item, ok: true }) : 'OK');
  }
}
