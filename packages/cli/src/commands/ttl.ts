import { keyArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';

export default class TtlCommand extends ClientCommand {
  static override summary = 'Print the seconds a key has left, as redis-cli does: -1 for a key with no TTL, -2 for a missing key.';
  static override description = 'Rounded to the nearest second, as Redis rounds it; pttl gives milliseconds.';
  static override examples = ['<%= config.bin %> <%= command.id %> session:42', '<%= config.bin %> <%= command.id %> session:42 --json'];
  static override args = { key: keyArg };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TtlCommand);
    const ttl = await this.withClient(flags, (client) => client.ttl(args.key));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, ttl }) : String(ttl));
  }
}
