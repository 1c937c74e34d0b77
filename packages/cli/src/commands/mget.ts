import { firstKeyArg, positionalWords } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { jsonValue, printableValue } from '../value-output.js';

export default class MgetCommand extends ClientCommand {
  static override summary = 'Print the values of several keys, one a line, (nil) for each missing one.';
  static override description =
    'The reads travel together in one request; each is its own read. Values that are not valid UTF-8 are printed escaped, as by get.';
  static override examples = ['<%= config.bin %> <%= command.id %> a b c', '<%= config.bin %> <%= command.id %> a b --json'];
  static override strict = false;
  static override args = { key: firstKeyArg };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const parsed = await this.parse(MgetCommand);
    const { flags } = parsed;
    const keys = positionalWords(parsed);
    const values = await this.withClient(flags, (client) => client.mgetBuffers(keys));
    if (flags.json) {
      this.writeLine(JSON.stringify(Object.fromEntries(keys.map((key, i) => [key, values[i] ? jsonValue(values[i]) : null]))));
    } else this.writeLines(values.map((value) => (value === null ? '(nil)' : printableValue(value))));
  }
}
