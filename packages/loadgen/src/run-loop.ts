import { LatencyRecorder, summarize, type LatencySummary } from './latency.js';

export interface LoopOptions {
  /** Measured time, in ms. */
  durationMs: number;
  /** Unmeasured time before it, in ms. */
  warmupMs: number;
  /** Called with the error of every op counted as an error (one that started after the warmup). Default: none. */
  onError?: (error: unknown) => void;
  /**
   * Ends the run early: no op starts once it is aborted, and the measured time ends there (it is
   * zero when the run is aborted during the warmup). Default: none.
   */
  signal?: AbortSignal;
}

/**
 * Runs closed-loop workers (each keeps one op in flight) for warmup + duration. Records the
 * latency of every op that starts after the warmup and completes before the end; throughput is
 * their count over the measured time. Failed ops count as errors, not samples.
 */
export async function runClosedLoop(
  workers: number,
  op: (worker: number) => Promise<unknown>,
  options: LoopOptions,
): Promise<LatencySummary> {
  const recorder = new LatencyRecorder();
  let errors = 0;
  const startedAt = performance.now();
  const measureStart = startedAt + options.warmupMs;
  let end = measureStart + options.durationMs;
  let measuredMs = options.durationMs;
  const { signal, onError } = options;
  const stop = (now = performance.now()): void => {
    if (now >= end) return;
    end = now;
    measuredMs = Math.max(0, now - measureStart);
  };
  const onAbort = (): void => stop();
  if (signal?.aborted) stop(startedAt);
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(
      Array.from({ length: workers }, async (_, worker) => {
        for (let start = performance.now(); start < end; start = performance.now()) {
          try {
            await op(worker);
          } catch (error) {
            if (start >= measureStart) {
              errors++;
              onError?.(error);
            }
            // An op that fails at once must not keep timers and signals (the abort) from running.
            await new Promise((resolve) => setImmediate(resolve));
            continue;
          }
          const done = performance.now();
          if (start >= measureStart && done <= end) recorder.record((done - start) * 1000);
        }
      }),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return summarize(recorder, measuredMs / 1000, errors);
}
