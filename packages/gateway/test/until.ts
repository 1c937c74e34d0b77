import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` until it gives a value that is not undefined, null or false, within `timeoutMs`.
 * The gateway's tests keep this small loop of their own: depending on test-utils, which depends on
 * the CLI, which depends on the gateway, would make a package cycle.
 */
export async function until<T>(check: () => T, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
