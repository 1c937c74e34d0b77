import { Args } from '@oclif/core';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { positionalWords } from '../args.js';
import { UsageError } from '../errors.js';
import { ttlFlag, ttlOption, waitFlag } from '../write-flags.js';

export default class MsetCommand extends ClientCommand {
  static override summary = 'Store several values: KEY VALUE [KEY VALUE ...]. Prints OK.';
  static override description =
    "The writes travel together in one request, but each is its own write, sequenced on its own: unlike Redis's MSET, they are not one atomic step.";
  static override examples = ['<%= config.bin %> <%= command.id %> a 1 b 2', '<%= config.bin %> <%= command.id %> a 1 b 2 --ttl 60000'];
  static override strict = false;
  static override args = {
    key: Args.string({ description: 'A key, then its value; as many pairs as you like.', required: true, ignoreStdin: true }),
    value: Args.string({ description: 'The value of the key before it, stored as UTF-8.', required: true, ignoreStdin: true }),
  };
  static override flags = { ...clientFlags, ...directFlags, wait: waitFlag(), ttl: ttlFlag };

  async run(): Promise<void> {
    const parsed = await this.parse(MsetCommand);
    const { flags } = parsed;
    const words = positionalWords(parsed);
    if (words.length % 2 !== 0) throw new UsageError(`mset takes KEY VALUE pairs: ${words.at(-1)!} has no value`);
    const pairs = Array.from({ length: words.length / 2 }, (_, i) => [words[2 * i]!, words[2 * i + 1]!] as const);
    await this.withClient(flags, (client) => client.mset(pairs, { wait: flags.wait, ...ttlOption(flags.ttl) }));
    this.writeLine(flags.json ? JSON.stringify({ ok: true, keys: pairs.length }) : 'OK');
  }
}
