import { keyArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';

export default class PttlCommand extends ClientCommand {
  static override summary = 'Print the milliseconds a key has left: -1 for a key with no TTL, -2 for a missing key.';
  static override examples = ['<%= config.bin %> <%= command.id %> session:42', '<%= config.bin %> <%= command.id %> session:42 --json'];
  static override args = { key: keyArg };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PttlCommand);
    const pttl = await this.withClient(flags, (client) => client.pttl(args.key));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, pttl }) : String(pttl));
  }
}
