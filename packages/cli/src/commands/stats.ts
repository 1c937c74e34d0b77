import { ClientCommand, clientFlags } from '../client-command.js';
import { formatTable } from '../format-table.js';

export default class StatsCommand extends ClientCommand {
  static override summary = "Show the broker's figures: epoch, seq, nodes, pending work, and memory when --maxmemory is set.";
  static override description = `With --maxmemory, it also shows maxmemory and its policy, usedMemory (the highest used memory of the ready nodes, estimated to this moment), each node's last reported usage (nodeMemory), the keys and bytes evicted, the writes refused with ERR_OOM (oomRejections), and those deferred with ERR_BACKPRESSURE while eviction made room (writesDeferred).`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = { ...clientFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(StatsCommand);
    const stats = await this.withClient(flags, (client) => client.stats());
    if (flags.json) this.writeLine(JSON.stringify(stats));
    else this.writeLine(formatTable(Object.entries(stats).map(([name, value]) => [name, formatValue(value)])));
  }
}

function formatValue(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, item]) => `${key}=${String(item)}`)
      .join(' ');
  }
  return String(value);
}
