import { Args } from '@oclif/core';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { ttlFlag, ttlOption, waitFlag } from '../write-flags.js';

export default class SetCommand extends ClientCommand {
  static override summary = 'Store a value. Prints OK.';
  static override description = `With --wait all (the default) OK means every ready node has applied the write; with --wait primary it means the key's primary has, and the other nodes follow in the same order.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> hello world',
    '<%= config.bin %> <%= command.id %> session:42 alice --ttl 60000 --wait primary',
    '<%= config.bin %> --node tcp://127.0.0.1:5556 <%= command.id %> hello world',
    '<%= config.bin %> ipc:///tmp/broker.sock <%= command.id %> mykey myvalue',
  ];
  static override args = {
    key: Args.string({ description: 'The key.', required: true }),
    value: Args.string({ description: 'The value, stored as UTF-8.', required: true }),
  };
  static override flags = {
    ...clientFlags,
    ...directFlags,
    wait: waitFlag(),
    ttl: ttlFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SetCommand);
    await this.withClient(flags, (client) => client.set(args.key, args.value, { wait: flags.wait, ...ttlOption(flags.ttl) }));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, ok: true }) : 'OK');
  }
}
