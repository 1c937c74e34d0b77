export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number;
  /** Milliseconds between tries. Default 50. */
  intervalMs?: number;
  /** Said in the timeout error. */
  description?: string;
}

/**
 * Calls `predicate` until it returns a truthy value (which it resolves with) or the time is up. A
 * predicate that throws counts as not yet; the timeout error carries the last value or error.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const what = last instanceof Error ? `last error: ${last.message}` : `last value: ${safeString(last)}`;
      throw new Error(`${options.description ?? 'condition'} not met within ${timeoutMs} ms (${what})`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
