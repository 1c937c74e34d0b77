import { formatColumns, int, type LatencySummary } from '@brainer/loadgen';
import type { BenchWorkload } from './bench-workloads.js';
import type { FirstError } from './first-errors.js';

/** One row of `brainer-cli bench`: one workload's measured run. */
export interface BenchRow extends LatencySummary {
  workload: BenchWorkload;
  connections: number;
  /** Ops in flight per connection. */
  inFlight: number;
  /** The first distinct error codes of its failed ops, with the first message of each. */
  firstErrors: FirstError[];
  /** Reads answered over the whole run, warmup included, and how many of them found no value. */
  reads: number;
  misses: number;
}

/** The settings a run used, as the JSON document reports them. */
export interface BenchSettings {
  broker: string;
  workloads: BenchWorkload[];
  connections: number;
  inFlight: number;
  durationSeconds: number;
  warmupSeconds: number;
  keys: number;
  valueBytes: number;
  keyPrefix: string;
  reads: 'direct' | 'broker';
  preload: boolean;
  /** Workload i draws its keys and its reads and writes from seed + i. */
  seed: number;
  timeoutMs: number;
}

/** What `--json` prints: one document. */
export interface BenchReport {
  options: BenchSettings;
  /** The keys loaded before the runs, and how long that took; null when nothing was loaded. */
  preload: { keys: number; seconds: number } | null;
  rows: BenchRow[];
  /** Whether SIGINT stopped the benchmark early (the last row is then shorter, and later workloads did not run). */
  interrupted: boolean;
  /**
   * With `--reads direct` and a workload that reads: how many reads the broker routed while the
   * workloads ran (its `readsRouted`), which should stay 0; null otherwise, and when it cannot be
   * known (after Ctrl-C, or a broker that could not be asked or restarted meanwhile).
   */
  readsViaBroker: number | null;
  /** With --cleanup: how many bench keys existed and were deleted, and how long that took; null when the keys were left. */
  cleanup: { deleted: number; seconds: number } | null;
}

const HEADER = ['workload', 'conns×in-flight', 'ops/s', 'p50', 'p99', 'p99.9', 'errors', 'misses'];

/** The text table: one line a row, latencies in µs. */
export function formatBenchTable(report: BenchReport): string {
  const { options } = report;
  const lines = report.rows.map((row) => [
    row.workload,
    `${row.connections}×${row.inFlight}`,
    int(row.opsPerSecond),
    int(row.p50Us),
    int(row.p99Us),
    int(row.p999Us),
    int(row.errors),
    missShare(row),
  ]);
  const footer =
    `latencies in µs; ${options.durationSeconds} s measured after a ${options.warmupSeconds} s warmup, ` +
    `${int(options.keys)} keys × ${int(options.valueBytes)} B, reads ${options.reads}, seed ${options.seed}` +
    (report.interrupted ? `; interrupted (SIGINT): ${lastRow(report)}` : '');
  return formatColumns([HEADER, ...lines], footer);
}

/** The share of reads that found no value, or '-' for a run that did not read. */
function missShare(row: BenchRow): string {
  if (row.reads === 0) return '-';
  const percent = (100 * row.misses) / row.reads;
  return `${percent > 0 && percent < 0.1 ? '<0.1' : percent.toFixed(1)}%`;
}

/** The warning for a direct-read run whose reads went through the broker after all. */
export function viaBrokerLines(report: BenchReport): string[] {
  const routed = report.readsViaBroker;
  if (routed === null || routed === 0) return [];
  return [
    `the broker routed ${routed} reads during the run, though reads go straight to the nodes (--reads direct): ` +
      "the nodes could not be reached from here in time, refused this client's CURVE key (run-node --allowed-keys), or were not ready; " +
      'or other clients read through the broker meanwhile',
  ];
}

/** The warning for a run that found keys missing although every key was written first. */
export function missLines(report: BenchReport): string[] {
  if (!report.options.preload) return [];
  return report.rows
    .filter((row) => row.misses > 0)
    .map(
      (row) =>
        `${row.workload}: ${row.misses} of ${row.reads} reads found no value although every key was preloaded (evicted by --maxmemory, expired, or deleted meanwhile)`,
    );
}

function lastRow(report: BenchReport): string {
  const last = report.rows.at(-1);
  return last === undefined ? 'nothing measured' : `${last.workload} measured ${last.seconds.toFixed(2)} s`;
}

/** One line for each row that had failed ops: how many, and the first message of each code. */
export function errorLines(rows: readonly BenchRow[]): string[] {
  return rows
    .filter((row) => row.errors > 0)
    .map((row) => `${row.workload}: ${row.errors} ops failed; ${row.firstErrors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
}
