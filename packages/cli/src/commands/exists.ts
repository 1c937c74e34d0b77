import { firstKeyArg, positionalWords } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';

export default class ExistsCommand extends ClientCommand {
  static override summary = 'Count how many of the keys exist. Prints the count, as redis-cli does.';
  static override examples = ['<%= config.bin %> <%= command.id %> hello', '<%= config.bin %> <%= command.id %> a b c --json'];
  static override strict = false;
  static override args = { key: firstKeyArg };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const parsed = await this.parse(ExistsCommand);
    const { flags } = parsed;
    const keys = positionalWords(parsed);
    const found = await this.withClient(flags, (client) => Promise.all(keys.map((key) => client.exists(key))));
    const count = found.filter(Boolean).length;
    this.writeLine(
      flags.json ? JSON.stringify({ exists: count, keys: Object.fromEntries(keys.map((key, i) => [key, found[i]])) }) : String(count),
    );
  }
}
