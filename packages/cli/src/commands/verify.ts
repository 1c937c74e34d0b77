import { ClientCommand, clientFlags } from '../client-command.js';
import { formatTable } from '../format-table.js';
import { nodeErrorLines, nodesToRows, nodeToJson } from '../node-view.js';

export default class VerifyCommand extends ClientCommand {
  static override summary = 'Check that every ready node holds the same content.';
  static override description = `Asks every ready node for its digest (an order-independent hash of its whole content). Nodes in mid-stream may differ for a moment, so it asks again until they report the same seq. Prints "OK N nodes" and exits 0 when all digests are equal and the broker flags no node as missing acknowledged writes (nodes wiped alike have equal digests, so the broker's acknowledged position is checked too); otherwise prints the nodes that differ or are flagged, and exits 1.`;
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json'];
  static override flags = { ...clientFlags };

  async run(): Promise<void> {
    const { flags } = await this.parse(VerifyCommand);
    const result = await this.withClient(flags, (client) => client.verify());
    if (flags.json) {
      this.writeLine(
        JSON.stringify({
          ok: result.ok,
          nodes: result.nodes.length,
          digest: result.digest,
          differing: result.differing.map(nodeToJson),
          failing: result.failing.map(nodeToJson),
        }),
      );
    } else if (result.ok) {
      this.writeLine(`OK ${result.nodes.length} nodes`);
    } else if (result.nodes.length === 0) {
      this.writeLine('FAILED: no ready nodes');
    } else {
      if (result.differing.length > 0) {
        this.writeLine(`FAILED: ${result.differing.length} of ${result.nodes.length} nodes differ from digest ${result.digest}`);
        this.writeLine(formatTable(nodesToRows(result.differing)));
      }
      if (result.failing.length > 0) {
        this.writeLine(`FAILED: ${result.failing.length} of ${result.nodes.length} nodes may miss acknowledged writes`);
        for (const line of nodeErrorLines(result.failing)) this.writeLine(line);
      }
    }
    if (!result.ok) this.exit(1);
  }
}
