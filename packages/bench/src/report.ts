import { formatColumns, int, median, type LatencySummary } from '@brainer/loadgen';
import { ROUNDS_FOOTER } from './bench-process.js';
import type { WorkloadName } from './workloads.js';

export interface RoundResult {
  round: number;
  /** The raw ZeroMQ echo round trip of this round. */
  zmq: LatencySummary;
  runs: Partial<
    Record<
      WorkloadName,
      {
        redis?: LatencySummary;
        brainer: LatencySummary;
        brainerCpu?: CpuPerOp;
        /** The raw ZeroMQ write chain with the same connections (replicated writes only). */
        zmqChain?: LatencySummary;
      }
    >
  >;
}

/** CPU time per op of Brainer's processes during one run, in µs (user + system, all threads). */
export interface CpuPerOp {
  broker: number;
  /** All nodes together. */
  nodes: number;
  /** The busiest node. */
  busiestNode: number;
}

/** `micros`: CPU time of the broker, then of each node, over a run of `ops` ops. */
export function cpuPerOp(micros: readonly number[], ops: number): CpuPerOp {
  const [broker = 0, ...nodes] = micros.map((us) => (ops > 0 ? us / ops : NaN));
  return { broker, nodes: nodes.reduce((sum, us) => sum + us, 0), busiestNode: Math.max(...nodes) };
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
  /** The raw ZeroMQ write chain with the same connections; null but for replicated writes. */
  zmqChain: SystemFigures | null;
  /** Median over rounds of (Brainer ops/s ÷ write chain ops/s) in that round. */
  brainerOverZmqChain: number | null;
  /** Median over rounds of (Brainer p50 ÷ write chain p50) in that round. */
  brainerP50OverZmqChainP50: number | null;
  /** Medians over rounds of Brainer's CPU per op; null when it was not measured. */
  brainerCpu: CpuPerOp | null;
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
    const chainRuns = runs.flatMap((r) => (r.zmqChain === undefined ? [] : [{ brainer: r.brainer, chain: r.zmqChain }]));
    const overChain = (of: (s: LatencySummary) => number): number | null =>
      chainRuns.length === 0 ? null : median(chainRuns.map((r) => of(r.brainer) / of(r.chain)));
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
      zmqChain: chainRuns.length === 0 ? null : figures(chainRuns.map((r) => r.chain)),
      brainerOverZmqChain: overChain((s) => s.opsPerSecond),
      brainerP50OverZmqChainP50: overChain((s) => s.p50Us),
      brainerCpu: medianCpu(runs.flatMap((r) => (r.brainerCpu === undefined ? [] : [r.brainerCpu]))),
    };
  });
}

const ratio = (n: number | null): string => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(2));
const cells = (f: SystemFigures | null): string[] =>
  f === null ? ['-', '-', '-', '-'] : [int(f.opsPerSecond), int(f.p50Us), int(f.p99Us), int(f.p999Us)];

/** The table: one row per workload, then the raw ZeroMQ floor. */
export function formatTable(rows: ReportRow[], zmq: SystemFigures): string {
  const header = ['workload', 'redis ops/s', 'p50', 'p99', 'p99.9', 'brainer ops/s', 'p50', 'p99', 'p99.9', 'B÷R ops/s', 'B p50÷zmq p50'];
  const lines = [
    header,
    ...rows.map((r) => [r.workload, ...cells(r.redis), ...cells(r.brainer), ratio(r.brainerOverRedis), ratio(r.brainerP50OverZmqP50)]),
    ['zmq echo', '-', '-', '-', '-', int(zmq.opsPerSecond), int(zmq.p50Us), int(zmq.p99Us), int(zmq.p999Us), '-', '1.00'],
  ];
  return formatColumns(lines, ROUNDS_FOOTER);
}

/** The replicated writes against the raw ZeroMQ write chain: the floor for their topology. */
export function formatChainTable(rows: ReportRow[]): string {
  const header = ['workload', 'zmq write chain ops/s', 'p50', 'p99', 'p99.9', 'brainer ops/s', 'p50', 'B÷chain ops/s', 'B p50÷chain p50'];
  const lines = [
    header,
    ...rows.flatMap((r) =>
      r.zmqChain === null
        ? []
        : [
            [
              r.workload,
              ...cells(r.zmqChain),
              int(r.brainer.opsPerSecond),
              int(r.brainer.p50Us),
              ratio(r.brainerOverZmqChain),
              ratio(r.brainerP50OverZmqChainP50),
            ],
          ],
    ),
  ];
  return (
    'Brainer ÷ raw write chain (ZeroMQ only: client → broker → every node → their acks → client, no Brainer logic)\n' +
    formatColumns(lines, ROUNDS_FOOTER)
  );
}

function medianCpu(runs: CpuPerOp[]): CpuPerOp | null {
  if (runs.length === 0) return null;
  return {
    broker: median(runs.map((r) => r.broker)),
    nodes: median(runs.map((r) => r.nodes)),
    busiestNode: median(runs.map((r) => r.busiestNode)),
  };
}

const micros = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');

/** Where Brainer spends its CPU: per op, in the broker and in the nodes. */
export function formatCpuTable(rows: ReportRow[]): string {
  const header = ['workload', 'broker µs/op', 'nodes µs/op (all)', 'busiest node µs/op'];
  const lines = [
    header,
    ...rows.map((r) =>
      r.brainerCpu === null
        ? [r.workload, '-', '-', '-']
        : [r.workload, micros(r.brainerCpu.broker), micros(r.brainerCpu.nodes), micros(r.brainerCpu.busiestNode)],
    ),
  ];
  return `Brainer CPU time per op (user + system, every thread), from /proc\n${formatColumns(lines)}`;
}

/**
 * Read scale-out from the R50 run: with direct reads a read costs the broker (almost) nothing, so
 * the nodes bound aggregate read throughput. A node given one core serves about 1 s ÷ (its CPU per
 * read it serves); N such machines serve N times that.
 */
export function readScaleOut(rows: ReportRow[]): string | undefined {
  const cpu = rows.find((r) => r.workload === 'R50')?.brainerCpu;
  if (!cpu || !(cpu.nodes > 0)) return undefined;
  // Each read is served by one node, so the nodes' CPU per read is what one node spends per read it serves.
  const perNodeRead = cpu.nodes;
  const perCore = 1_000_000 / perNodeRead;
  const projection = [1, 3, 10].map((n) => `${n} node${n === 1 ? '' : 's'} ≈ ${Math.round(n * perCore).toLocaleString('en-US')} reads/s`);
  return (
    `read scale-out (R50, direct reads): broker ${micros(cpu.broker)} µs CPU per read, a node ${micros(perNodeRead)} µs per read it serves; ` +
    `with one core per node and enough clients: ${projection.join(', ')}`
  );
}

export function zmqFigures(rounds: RoundResult[]): SystemFigures {
  return figures(rounds.map((r) => r.zmq));
}
