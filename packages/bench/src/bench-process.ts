/** The flags every round-based benchmark script takes, for `parseArgs`. */
export const ROUND_OPTIONS = {
  quick: { type: 'boolean', default: false },
  rounds: { type: 'string' },
  'duration-ms': { type: 'string' },
  keys: { type: 'string' },
  'value-bytes': { type: 'string', default: '100' },
} as const;

/** What every table of per-round runs says under it. */
export const ROUNDS_FOOTER = 'latencies in µs; figures are medians over rounds, ratios are medians of per-round ratios (adjacent runs)';

/** Writes a progress line to stderr (stdout holds the results). */
export const log = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * Makes `stop` (which stops what the run started, by PID) run at most once, and run on SIGINT or
 * SIGTERM too, after which the process exits 130.
 */
export function stopOnce(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => (stopping ??= stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every process started`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  return stopAll;
}

/** Runs a bench script's body: an error is printed and makes the exit code 1, and what the script started is always stopped. */
export async function runScript(body: () => Promise<void>, stopAll: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    process.exitCode = 1;
    console.error(err);
  } finally {
    await stopAll();
  }
}
