import { ClientCommand, clientFlags, directFlags } from '../client-command.js';

export default class PingCommand extends ClientCommand {
  static override summary = 'Check that the broker (or, with --node, the node) answers. Prints PONG.';
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> ipc:///tmp/broker.sock <%= command.id %> --json'];
  static override flags = { ...clientFlags, ...directFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(PingCommand);
    const started = performance.now();
    // Connecting is a ping: a broker that does not answer fails it.
    await this.withClient(flags, (client) => client.ping());
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    this.writeLine(flags.json ? JSON.stringify({ pong: true, ms }) : 'PONG');
  }
}
