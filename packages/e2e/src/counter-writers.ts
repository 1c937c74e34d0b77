import { BrainerError, type Brainer } from '@brainer/client';

export interface CounterWritersOptions {
  /** Keys are `${prefix}0` and up. */
  prefix: string;
  keys: number;
  /** Parallel writer loops; each owns its own keys, so each key's writes go one after another. */
  writers: number;
  /** Pause after each write, in ms, to leave the host's cores to the cluster. Default 10. */
  pauseMs?: number;
}

/**
 * Writers (wait=all) that set their keys to rising counters, so that a read can be judged: a value
 * below the highest acknowledged before the read began is stale, one above the highest sent is
 * phantom. Records when every acknowledgement came, to find gaps in service.
 */
export class CounterWriters {
  /** Each key's highest acknowledged counter. */
  readonly acknowledged = new Map<string, number>();
  /** Each key's highest counter sent, acknowledged or not. */
  readonly sent = new Map<string, number>();
  /** When each acknowledgement came (performance.now), in order. */
  readonly ackTimes: number[] = [];
  /** What the writes that failed got, by code. */
  readonly failures = new Map<string, number>();
  readonly keys: string[];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly client: Brainer,
    private readonly options: CounterWritersOptions,
  ) {
    this.keys = Array.from({ length: options.keys }, (_, i) => `${options.prefix}${i}`);
    this.loops = Array.from({ length: options.writers }, (_, writer) => this.loop(writer));
  }

  /** Acknowledged writes so far. */
  get acks(): number {
    return this.ackTimes.length;
  }

  /** Acknowledgements that came after `since` (performance.now). */
  acksSince(since: number): number {
    return this.ackTimes.filter((at) => at > since).length;
  }

  /** The longest time without an acknowledgement between `from` and `to` (performance.now), in ms. */
  longestGapMs(from: number, to: number): number {
    let last = from;
    let longest = 0;
    for (const at of this.ackTimes) {
      if (at < from) continue;
      if (at > to) break;
      longest = Math.max(longest, at - last);
      last = at;
    }
    return Math.max(longest, to - last);
  }

  /** How a read of `key` that returned `value` and began when `floor` was acknowledged stands: undefined when fine. */
  judge(key: string, value: string | null, floor: number): string | undefined {
    const read = value === null ? 0 : Number(value);
    if (!Number.isInteger(read)) return `${key}: read ${JSON.stringify(value)}, which no writer wrote`;
    if (read < floor) return `${key}: stale read ${read}, after ${floor} was acknowledged`;
    if (read > (this.sent.get(key) ?? 0)) return `${key}: phantom read ${read}, above the ${this.sent.get(key) ?? 0} sent`;
    return undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(writer: number): Promise<void> {
    const mine = this.keys.filter((_, i) => i % this.options.writers === writer);
    for (let n = 1; this.running; n++) {
      const key = mine[n % mine.length]!;
      this.sent.set(key, n);
      try {
        await this.client.set(key, String(n), { wait: 'all' });
        this.ackTimes.push(performance.now());
        this.acknowledged.set(key, n);
      } catch (error) {
        const code = error instanceof BrainerError ? error.code : String(error);
        this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs ?? 10));
    }
  }
}
