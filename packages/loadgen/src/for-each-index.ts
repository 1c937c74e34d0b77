export interface ForEachIndexOptions {
  /** How many calls are in flight at once (fewer when there are fewer indexes). */
  concurrency: number;
  /** No call starts once it is aborted; the calls in flight are waited for. Default: none. */
  signal?: AbortSignal;
}

/**
 * Calls `op(index, stream)` once for every index in [0, count), in order, with `concurrency`
 * streams that each make one call at a time. After the first failure no call starts; once the
 * calls in flight have settled, it rejects with that failure. Resolves with how many calls
 * succeeded (fewer than `count` when the signal was aborted).
 */
export async function forEachIndex(
  count: number,
  op: (index: number, stream: number) => Promise<unknown>,
  options: ForEachIndexOptions,
): Promise<number> {
  let next = 0;
  let succeeded = 0;
  let failure: { error: unknown } | undefined;
  const streams = Math.max(1, Math.min(options.concurrency, count));
  await Promise.all(
    Array.from({ length: streams }, async (_, stream) => {
      while (next < count && failure === undefined && options.signal?.aborted !== true) {
        try {
          await op(next++, stream);
          succeeded++;
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure !== undefined) throw failure.error;
  return succeeded;
}
