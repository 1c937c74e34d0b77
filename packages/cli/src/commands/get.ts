import { Args } from '@oclif/core';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { EXIT_FAILURE } from '../errors.js';

export default class GetCommand extends ClientCommand {
  static override summary = 'Print the value of a key, or (nil) with exit code 1 when it is missing.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> hello',
    '<%= config.bin %> <%= command.id %> hello --json',
    '<%= config.bin %> --node tcp://127.0.0.1:5556 <%= command.id %> hello',
    '<%= config.bin %> ipc:///tmp/broker.sock <%= command.id %> mykey',
  ];
  static override args = {
    key: Args.string({ description: 'The key.', required: true }),
  };
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(GetCommand);
    const value = await this.withClient(flags, (client) => client.get(args.key));
    if (flags.json) this.writeLine(JSON.stringify({ key: args.key, value }));
    else this.writeLine(value ?? '(nil)');
    if (value === null) this.exit(EXIT_FAILURE);
  }
}
