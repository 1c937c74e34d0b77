import { Args } from '@oclif/core';
import { keyArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { waitFlag } from '../write-flags.js';

export default class PexpireCommand extends ClientCommand {
  static override summary = 'Give a key a TTL in milliseconds, replacing any it had. Prints 1 if the key existed, else 0.';
  static override description = '0 or less deletes the key, as in Redis.';
  static override examples = ['<%= config.bin %> <%= command.id %> session:42 1500'];
  static override args = {
    key: keyArg,
    ms: Args.integer({ description: 'Milliseconds from now; 0 or less deletes the key.', required: true, ignoreStdin: true }),
  };
  static override flags = { ...clientFlags, ...directFlags, wait: waitFlag() };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PexpireCommand);
    const found = await this.withClient(flags, (client) => client.expire(args.key, args.ms, { wait: flags.wait }));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, expire: found }) : found ? '1' : '0');
  }
}
