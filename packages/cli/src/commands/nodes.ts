import { ClientCommand, clientFlags } from '../client-command.js';
import { formatTable } from '../format-table.js';
import { nodeErrorLines, nodesToRows, nodeToJson } from '../node-view.js';

export default class NodesCommand extends ClientCommand {
  static override summary = "List the nodes the broker knows: id, endpoint, state, keys, seq and digest, and the broker's epoch.";
  static override description = `The table ends with the broker's epoch (\`stats\` gives it in JSON). State is joining or ready; a joining node also shows its progress. Nodes with equal content have equal digests. A ready node that may miss acknowledged writes (behind a write acknowledged to every ready node, or in an epoch started from data that was not whole) shows an ERROR (ERR_DATA_LOST) and why.`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = { ...clientFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodesCommand);
    if (flags.json) {
      const nodes = await this.withClient(flags, (client) => client.nodes());
      this.writeLine(JSON.stringify(nodes.map(nodeToJson)));
      return;
    }
    // Asked together, so they travel in one frame.
    const [nodes, stats] = await this.withClient(flags, (client) => Promise.all([client.nodes(), client.stats()]));
    if (nodes.length === 0) process.stderr.write('no nodes\n');
    else {
      this.writeLine(formatTable(nodesToRows(nodes)));
      for (const line of nodeErrorLines(nodes)) this.writeLine(line);
    }
    this.writeLine(`epoch ${String(stats.epoch)}`);
  }
}
