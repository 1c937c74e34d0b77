import { Brainer } from '@brainer/client';

/**
 * Watches the used memory each node reports of itself (`usedMemory` in its own `stats`, asked
 * straight at the node's endpoint), and keeps the highest figure seen on any node.
 */
export class NodeMemoryWatch {
  private readonly clients: Brainer[];
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The highest used memory any node reported while watched. */
  highest = 0;
  /** How many rounds of figures were taken. */
  rounds = 0;

  constructor(endpoints: readonly string[]) {
    this.clients = endpoints.map((endpoint) => new Brainer(endpoint, { reads: 'broker', retry: false, timeoutMs: 5000 }));
  }

  /** Each node's used memory now. */
  async usedMemory(): Promise<number[]> {
    const stats = await Promise.all(this.clients.map((client) => client.stats()));
    return stats.map((figures) => {
      if (typeof figures.usedMemory !== 'number') throw new Error(`a node reported no usedMemory: ${JSON.stringify(figures)}`);
      return figures.usedMemory;
    });
  }

  /** Takes figures round after round, every `intervalMs`, until `stop`. */
  start(intervalMs = 20): void {
    this.running ??= (async () => {
      while (!this.stopped) {
        for (const used of await this.usedMemory()) this.highest = Math.max(this.highest, used);
        this.rounds++;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    })();
  }

  /** Stops watching and takes one last round. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    for (const used of await this.usedMemory()) this.highest = Math.max(this.highest, used);
  }

  /** Stops watching and closes the connections. Safe to call twice. */
  async close(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
    await Promise.all(this.clients.map((client) => client.close()));
  }
}
