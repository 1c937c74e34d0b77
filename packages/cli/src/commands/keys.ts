import { patternArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';

export default class KeysCommand extends ClientCommand {
  static override summary = 'List the keys matching a glob pattern, one per line.';
  static override examples = ['<%= config.bin %> <%= command.id %>', "<%= config.bin %> <%= command.id %> 'user:*' --json"];
  static override args = { pattern: patternArg };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysCommand);
    const keys = await this.withClient(flags, (client) => client.keys(args.pattern));
    if (flags.json) this.writeLine(JSON.stringify(keys));
    else this.writeLines(keys);
  }
}
