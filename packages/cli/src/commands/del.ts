import { keyArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';

export default class DelCommand extends ClientCommand {
  static override summary = 'Delete a key. Prints 1 if it existed, else 0.';
  static override aliases = ['remove'];
  static override examples = ['<%= config.bin %> del hello', '<%= config.bin %> remove hello --json'];
  static override args = { key: keyArg };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DelCommand);
    const deleted = await this.withClient(flags, (client) => client.del(args.key));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, deleted }) : deleted ? '1' : '0');
  }
}
