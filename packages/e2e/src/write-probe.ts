import { Brainer, BrainerError } from '@brainer/client';

/** What writes sent one after another got, by outcome: `ok`, or the error code. */
export type ProbeOutcomes = Map<string, number>;

/**
 * Sends one write after another, with no retry, until `stop` is called, and counts what each got.
 * It watches whether a cluster acknowledges writes, and with which code it refuses them.
 */
export class WriteProbe {
  readonly outcomes: ProbeOutcomes = new Map();
  private readonly client: Brainer;
  private stopped = false;
  private readonly running: Promise<void>;

  constructor(endpoint: string, prefix: string, timeoutMs = 1000) {
    this.client = new Brainer(endpoint, { retry: false, timeoutMs, reads: 'broker' });
    this.running = this.run(prefix);
  }

  /** How many writes got `outcome` (`ok` or an error code). */
  count(outcome: string): number {
    return this.outcomes.get(outcome) ?? 0;
  }

  async stop(): Promise<ProbeOutcomes> {
    this.stopped = true;
    await this.running;
    await this.client.close();
    return this.outcomes;
  }

  private async run(prefix: string): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const outcome = await this.client.set(`${prefix}${i}`, 'probe').then(
        () => 'ok',
        (error: unknown) => (error instanceof BrainerError ? error.code : String(error)),
      );
      this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
