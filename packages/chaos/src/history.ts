/**
 * The record of what clients asked and what they were told. Times are milliseconds on one monotonic
 * clock (the chaos process's `performance.now()`): `invokedAt` is taken before the call is made and
 * `completedAt` after its promise settles, so each interval contains the real one.
 */
export type OpKind = 'set' | 'get' | 'del';

/**
 * `ok`: the call succeeded. `fail`: a read that got an error (it tells nothing). `unknown`: a write
 * that got an error or timed out; it may or may not have been applied, now or later.
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface Operation {
  /** Who made the call: `w3` (writer), `r1` (reader), `loader`, `final` (the reads after the run). */
  process: string;
  op: OpKind;
  key: string;
  /** For `set`, the value written (unique in a history). Null for `get` and `del`. */
  value: string | null;
  /** For `set` with a TTL: the time to live asked for, in ms. The key expires that long after the write takes effect. */
  ttlMs?: number;
  invokedAt: number;
  /** When the call settled (for `unknown`, when the client gave up). */
  completedAt: number;
  outcome: Outcome;
  /** For an ok `get`: the value read, or null for a missing key. For an ok `del`: whether a key was removed. */
  result?: string | null | boolean;
  /** The error code of a failed or unknown call. */
  error?: string;
}

/** The process name of the reads made after the run has settled; the checker treats them as rule (a)'s reads. */
export const FINAL_PROCESS = 'final';

/** An append-only list of operations, with a helper that times a call and records its outcome. */
export class History {
  readonly operations: Operation[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  get length(): number {
    return this.operations.length;
  }

  async set(process: string, call: () => Promise<void>, key: string, value: string, ttlMs?: number): Promise<Operation> {
    const entry = await this.record(process, 'set', key, value, async () => {
      await call();
      return undefined;
    });
    if (ttlMs !== undefined) entry.ttlMs = ttlMs;
    return entry;
  }

  async del(process: string, call: () => Promise<boolean>, key: string): Promise<Operation> {
    return this.record(process, 'del', key, null, call);
  }

  async get(process: string, call: () => Promise<string | null>, key: string): Promise<Operation> {
    return this.record(process, 'get', key, null, call);
  }

  private async record(
    process: string,
    op: OpKind,
    key: string,
    value: string | null,
    call: () => Promise<string | null | boolean | undefined>,
  ): Promise<Operation> {
    const invokedAt = this.now();
    let entry: Operation;
    try {
      const result = await call();
      entry = { process, op, key, value, invokedAt, completedAt: this.now(), outcome: 'ok' };
      if (result !== undefined) entry.result = result;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      entry = {
        process,
        op,
        key,
        value,
        invokedAt,
        completedAt: this.now(),
        outcome: op === 'get' ? 'fail' : 'unknown',
        error: typeof code === 'string' ? code : String(error),
      };
    }
    this.operations.push(entry);
    return entry;
  }
}
