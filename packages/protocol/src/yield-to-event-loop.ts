/**
 * A socket whose messages are always ready resolves every receive at once, so a receive loop can run
 * on microtasks alone and starve timers such as heartbeats. Receive loops call this after each
 * message; once the loop has run for `budgetMs` without a break, it waits for the next turn of the
 * event loop.
 */
export function eventLoopYielder(budgetMs = 10): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    const now = performance.now();
    if (now - since < budgetMs) return undefined;
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}
