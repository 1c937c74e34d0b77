import { Flags } from '@oclif/core';
import { keyArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { EXIT_FAILURE, UsageError } from '../errors.js';
import { jsonValue, printableValue } from '../value-output.js';

export default class GetCommand extends ClientCommand {
  static override summary = 'Print the value of a key, or (nil) with exit code 1 when it is missing.';
  static override description = `A value that is not valid UTF-8 is printed quoted and escaped, as redis-cli does ("\\xff\\x00..."), and in JSON as {"base64":"..."}. --raw writes the stored bytes exactly, with no newline.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> hello',
    '<%= config.bin %> <%= command.id %> hello --json',
    '<%= config.bin %> <%= command.id %> image --raw > image.png',
    '<%= config.bin %> --node tcp://127.0.0.1:5556 <%= command.id %> hello',
    '<%= config.bin %> ipc:///tmp/broker.sock <%= command.id %> mykey',
  ];
  static override args = { key: keyArg };
  static override flags = {
    ...clientFlags,
    ...directFlags,
    raw: Flags.boolean({
      description: 'Write the stored bytes exactly, with no newline (nothing for a missing key).',
      default: false,
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(GetCommand);
    if (flags.raw && flags.json) throw new UsageError('--raw writes the bytes alone: give --raw or --json, not both');
    const value = await this.withClient(flags, (client) => client.getBuffer(args.key));
    if (flags.raw) {
      if (value !== null) process.stdout.write(value);
    } else if (flags.json) this.writeLine(JSON.stringify({ key: args.key, value: value === null ? null : jsonValue(value) }));
    else this.writeLine(value === null ? '(nil)' : printableValue(value));
    if (value === null) this.exit(EXIT_FAILURE);
  }
}
