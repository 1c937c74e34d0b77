import { median, type LatencySummary } from './latency.js';
import { formatColumns, int, ROUNDS_FOOTER } from './text-table.js';
import type { WorkloadName } from './workloads.js';

export interface RoundResult {
  round: number;
  /** The raw ZeroMQ echo round trip of this round. */
  zmq: LatencySummary;
  runs: Partial<Record<WorkloadName, { redis?: LatencySummary; brainer: LatencySummary }>>;
}

export interface SystemFigures {
  opsPerSecond: number;
  p50Us: number;
  p99Us: number;
  p999Us: number;
  errors: number;
}

export interface ReportRow {
  workload: WorkloadName;
  description: string;
  redis: SystemFigures | null;
  brainer: SystemFigures;
  /** Median over rounds of (Brainer ops/s ÷ Redis ops/s) in that round. */
  brainerOverRedis: number | null;
  /** Median over rounds of (Brainer p50 ÷ raw ZeroMQ p50) in that round. */
  brainerP50OverZmqP50: number;
}

/** Each figure is the median over rounds; each ratio is the median of the per-round ratios. */
function figures(summaries: LatencySummary[]): SystemFigures {
  return {
    opsPerSecond: median(summaries.map((s) => s.opsPerSecond)),
    p50Us: median(summaries.map((s) => s.p50Us)),
    p99Us: median(summaries.map((s) => s.p99Us)),
    p999Us: median(summaries.map((s) => s.p999Us)),
    errors: summaries.reduce((sum, s) => sum + s.errors, 0),
  };
}

export function buildRows(rounds: RoundResult[], workloads: readonly { name: WorkloadName; description: string }[]): ReportRow[] {
  return workloads.map(({ name, description }) => {
    const runs = rounds.flatMap((r) => {
      const run = r.runs[name];
      return run === undefined ? [] : [{ ...run, zmq: r.zmq }];
    });
    const redisRuns = runs.flatMap((r) => (r.redis === undefined ? [] : [r.redis]));
    return {
      workload: name,
      description,
      redis: redisRuns.length === 0 ? null : figures(redisRuns),
      brainer: figures(runs.map((r) => r.brainer)),
      brainerOverRedis:
        redisRuns.length === 0
          ? null
          : median(runs.map((r) => (r.redis === undefined ? NaN : r.brainer.opsPerSecond / r.redis.opsPerSecond))),
      brainerP50OverZmqP50: median(runs.map((r) => r.brainer.p50Us / r.zmq.p50Us)),
    };
  });
}

const ratio = (n: number | null): string => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(2));

/** The table: one row per workload, then the raw ZeroMQ floor. */
export function formatTable(rows: ReportRow[], zmq: SystemFigures): string {
  const header = ['workload', 'redis ops/s', 'p50', 'p99', 'p99.9', 'brainer ops/s', 'p50', 'p99', 'p99.9', 'B÷R ops/s', 'B p50÷zmq p50'];
  const cells = (f: SystemFigures | null): string[] =>
    f === null ? ['-', '-', '-', '-'] : [int(f.opsPerSecond), int(f.p50Us), int(f.p99Us), int(f.p999Us)];
  const lines = [
    header,
    ...rows.map((r) => [r.workload, ...cells(r.redis), ...cells(r.brainer), ratio(r.brainerOverRedis), ratio(r.brainerP50OverZmqP50)]),
    ['zmq echo', '-', '-', '-', '-', int(zmq.opsPerSecond), int(zmq.p50Us), int(zmq.p99Us), int(zmq.p999Us), '-', '1.00'],
  ];
  return formatColumns(lines, ROUNDS_FOOTER);
}

export function zmqFigures(rounds: RoundResult[]): SystemFigures {
  return figures(rounds.map((r) => r.zmq));
}
