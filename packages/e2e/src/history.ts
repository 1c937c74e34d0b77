/** Polls until `check` passes or the time runs out, returning how long it took. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 50): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
