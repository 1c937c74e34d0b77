import { Args } from '@oclif/core';
import { keyArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { waitFlag } from '../write-flags.js';

export default class ExpireCommand extends ClientCommand {
  static override summary = 'Give a key a TTL in seconds, replacing any it had. Prints 1 if the key existed, else 0.';
  static override description =
    '0 or less deletes the key, as in Redis. pexpire takes milliseconds. The new TTL is a write, sequenced and applied on every node like set.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> session:42 60',
    '<%= config.bin %> <%= command.id %> session:42 60 --json',
  ];
  static override args = {
    key: keyArg,
    seconds: Args.integer({ description: 'Seconds from now; 0 or less deletes the key.', required: true, ignoreStdin: true }),
  };
  static override flags = { ...clientFlags, ...directFlags, wait: waitFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ExpireCommand);
    const found = await this.withClient(flags, (client) => client.expire(args.key, args.seconds * 1000, { wait: flags.wait }));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, expire: found }) : found ? '1' : '0');
  }
}
