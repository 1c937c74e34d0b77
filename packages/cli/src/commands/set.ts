import { keyArg, valueArg } from '../args.js';
import { ClientCommand, clientFlags, directFlags } from '../client-command.js';
import { readValue, valueFlags } from '../value-input.js';
import { ttlFlag, ttlOption, waitFlag } from '../write-flags.js';

export default class SetCommand extends ClientCommand {
  static override summary = 'Store a value. Prints OK.';
  static override description = `With --wait all (the default) OK means every ready node has applied the write; with --wait primary it means the key's primary has, and the other nodes follow in the same order.

Without VALUE, the value is standard input read to its end, byte for byte, when that is a pipe or a file (or with -x, as in redis-cli), or the bytes of --value-file.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> hello world',
    '<%= config.bin %> <%= command.id %> session:42 alice --ttl 60000 --wait primary',
    '<%= config.bin %> <%= command.id %> image < image.png',
    'cat notes.txt | <%= config.bin %> <%= command.id %> notes -x',
    '<%= config.bin %> <%= command.id %> image --value-file image.png',
    '<%= config.bin %> --node tcp://127.0.0.1:5556 <%= command.id %> hello world',
    '<%= config.bin %> ipc:///tmp/broker.sock <%= command.id %> mykey myvalue',
  ];
  static override args = { key: keyArg, value: valueArg };
  static override flags = {
    ...clientFlags,
    ...directFlags,
    ...valueFlags,
    wait: waitFlag(),
    ttl: ttlFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SetCommand);
    // Read before connecting: standard input may take its time, and the timeout is the broker's.
    const value = await readValue(args.value, flags);
    await this.withClient(flags, (client) => client.set(args.key, value, { wait: flags.wait, ...ttlOption(flags.ttl) }));
    this.writeLine(flags.json ? JSON.stringify({ key: args.key, ok: true }) : 'OK');
  }
}
