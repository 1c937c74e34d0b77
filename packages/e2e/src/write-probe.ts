import { Brainer, BrainerError } from '@brainer/client';

/** What writes sent one after another got, by outcome: `ok`, or the error code. */
export type ProbeOutcomes = Map<string, number>;

/**
 * Sends one write after another, `pauseMs` apart, with no retry, until `stop` is called, and counts
 * what each got and how long it took. It watches whether a cluster acknowledges writes, with which
 * code it refuses them, and how fast.
 */
export class WriteProbe {
  readonly outcomes: ProbeOutcomes = new Map();
  /** How long each write took, in ms, in the order sent. */
  readonly latenciesMs: number[] = [];
  private readonly client: Brainer;
  private stopped = false;
  private readonly running: Promise<void>;

  constructor(
    endpoint: string,
    prefix: string,
    timeoutMs = 1000,
    private readonly pauseMs = 50,
  ) {
    this.client = new Brainer(endpoint, { retry: false, timeoutMs, reads: 'broker' });
    this.running = this.run(prefix);
  }

  /** The latency that `fraction` of the writes took at most (0.99 for the p99), in ms. */
  percentileMs(fraction: number): number {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
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
    // The first write's latency would include the connection: make it first.
    await this.client.connect().catch(() => undefined);
    for (let i = 0; !this.stopped; i++) {
      const start = performance.now();
      const outcome = await this.client.set(`${prefix}${i}`, 'probe').then(
        () => 'ok',
        (error: unknown) => (error instanceof BrainerError ? error.code : String(error)),
      );
      this.latenciesMs.push(performance.now() - start);
      this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }
}
