import { LatencyRecorder, summarize, type LatencySummary } from './latency.js';

export interface LoopOptions {
  /** Measured time, in ms. */
  durationMs: number;
  /** Unmeasured time before it, in ms. */
  warmupMs: number;
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
  const measureStart = performance.now() + options.warmupMs;
  const end = measureStart + options.durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let start = performance.now(); start < end; start = performance.now()) {
        try {
          await op(worker);
        } catch {
          if (start >= measureStart) errors++;
          continue;
        }
        const done = performance.now();
        if (start >= measureStart && done <= end) recorder.record((done - start) * 1000);
      }
    }),
  );
  return summarize(recorder, options.durationMs / 1000, errors);
}
