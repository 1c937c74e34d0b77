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
        /** Redis on many connections, for the workloads that have that other way (`manyConnections`). */
        redisMany?: LatencySummary;
        brainer: LatencySummary;
        brainerCpu?: CpuPerOp;
        /** The raw ZeroMQ write chain with the same connections (replicated writes only). */
        zmqChain?: LatencySummary;
        zmqChainCpu?: CpuPerOp;
      }
    >
  >;
}

/** CPU time per op of a system's processes during one run, in µs (user + system, all threads). */
export interface CpuPerOp {
  /** The process that drives the run: the bench itself, with the client library in it. */
  client: number;
  broker: number;
  /** All nodes together. */
  nodes: number;
  /** The busiest node. */
  busiestNode: number;
}

/** `micros`: CPU time of the driving process, the broker, then each node, over a run of `ops` ops. */
export function cpuPerOp(micros: readonly number[], ops: number): CpuPerOp {
  const [client = 0, broker = 0, ...nodes] = micros.map((us) => (ops > 0 ? us / ops : NaN));
  return { client, broker, nodes: nodes.reduce((sum, us) => sum + us, 0), busiestNode: Math.max(...nodes) };
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
  /** Redis's better run of each round, where it had two ways to run (`manyConnections`). */
  redis: SystemFigures | null;
  /** Where Redis ran two ways: each of them. */
  redisOneConnection: SystemFigures | null;
  redisManyConnections: SystemFigures | null;
  brainer: SystemFigures;
  /** Median over rounds of (Brainer ops/s ÷ Redis's better ops/s) in that round. */
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
  /** Medians over rounds of the write chain's CPU per op, for the replicated writes. */
  zmqChainCpu: CpuPerOp | null;
  /** Medians of the per-round ratios of Brainer's CPU per op to the chain's, process by process. */
  cpuOverZmqChain: Omit<CpuPerOp, 'busiestNode'> | null;
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
    const bestRedis = (r: (typeof runs)[number]): LatencySummary | undefined =>
      r.redisMany !== undefined && (r.redis === undefined || r.redisMany.opsPerSecond > r.redis.opsPerSecond) ? r.redisMany : r.redis;
    const redisRuns = runs.flatMap((r) => (r.redis === undefined ? [] : [r.redis]));
    const redisManyRuns = runs.flatMap((r) => (r.redisMany === undefined ? [] : [r.redisMany]));
    const bestRedisRuns = runs.flatMap((r) => bestRedis(r) ?? []);
    const chainRuns = runs.flatMap((r) => (r.zmqChain === undefined ? [] : [{ brainer: r.brainer, chain: r.zmqChain }]));
    const overChain = (of: (s: LatencySummary) => number): number | null =>
      chainRuns.length === 0 ? null : median(chainRuns.map((r) => of(r.brainer) / of(r.chain)));
    const cpuPairs = runs.flatMap((r) =>
      r.brainerCpu === undefined || r.zmqChainCpu === undefined ? [] : [{ brainer: r.brainerCpu, chain: r.zmqChainCpu }],
    );
    const cpuOver = (of: keyof CpuPerOp): number => median(cpuPairs.map((p) => p.brainer[of] / p.chain[of]));
    return {
      workload: name,
      description,
      redis: bestRedisRuns.length === 0 ? null : figures(bestRedisRuns),
      redisOneConnection: redisManyRuns.length === 0 || redisRuns.length === 0 ? null : figures(redisRuns),
      redisManyConnections: redisManyRuns.length === 0 ? null : figures(redisManyRuns),
      brainer: figures(runs.map((r) => r.brainer)),
      brainerOverRedis:
        bestRedisRuns.length === 0 ? null : median(runs.map((r) => r.brainer.opsPerSecond / (bestRedis(r)?.opsPerSecond ?? NaN))),
      brainerP50OverZmqP50: median(runs.map((r) => r.brainer.p50Us / r.zmq.p50Us)),
      zmqChain: chainRuns.length === 0 ? null : figures(chainRuns.map((r) => r.chain)),
      brainerOverZmqChain: overChain((s) => s.opsPerSecond),
      brainerP50OverZmqChainP50: overChain((s) => s.p50Us),
      brainerCpu: medianCpu(runs.flatMap((r) => (r.brainerCpu === undefined ? [] : [r.brainerCpu]))),
      zmqChainCpu: medianCpu(runs.flatMap((r) => (r.zmqChainCpu === undefined ? [] : [r.zmqChainCpu]))),
      cpuOverZmqChain: cpuPairs.length === 0 ? null : { client: cpuOver('client'), broker: cpuOver('broker'), nodes: cpuOver('nodes') },
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
    client: median(runs.map((r) => r.client)),
    broker: median(runs.map((r) => r.broker)),
    nodes: median(runs.map((r) => r.nodes)),
    busiestNode: median(runs.map((r) => r.busiestNode)),
  };
}

const micros = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');

/** Where Brainer spends its CPU: per op, in the broker, the nodes and the driving process. */
export function formatCpuTable(rows: ReportRow[]): string {
  const header = ['workload', 'broker µs/op', 'nodes µs/op (all)', 'busiest node µs/op', 'client µs/op'];
  const lines = [
    header,
    ...rows.map((r) =>
      r.brainerCpu === null
        ? [r.workload, '-', '-', '-', '-']
        : [
            r.workload,
            micros(r.brainerCpu.broker),
            micros(r.brainerCpu.nodes),
            micros(r.brainerCpu.busiestNode),
            micros(r.brainerCpu.client),
          ],
    ),
  ];
  return 'Brainer CPU time per op (user + system, every thread), from /proc; client: the process driving the run\n' + formatColumns(lines);
}

/** The replicated writes' CPU per op, process by process, against the raw write chain's. */
export function formatCpuOverChainTable(rows: ReportRow[]): string {
  const header = ['workload', 'broker µs/op', 'chain', 'B÷chain', 'nodes µs/op', 'chain', 'B÷chain', 'client µs/op', 'chain', 'B÷chain'];
  const lines = [
    header,
    ...rows.flatMap((r) => {
      const [b, c, over] = [r.brainerCpu, r.zmqChainCpu, r.cpuOverZmqChain];
      if (b === null || c === null || over === null) return [];
      return [
        [
          r.workload,
          ...[b.broker, c.broker].map(micros),
          ratio(over.broker),
          ...[b.nodes, c.nodes].map(micros),
          ratio(over.nodes),
          ...[b.client, c.client].map(micros),
          ratio(over.client),
        ],
      ];
    }),
  ];
  return `CPU per write, Brainer against the raw write chain (user + system, every thread)\n${formatColumns(lines, ROUNDS_FOOTER)}`;
}

/** The rows where many callers share one client, with both of Redis's ways to serve them. */
export function formatOneClientTable(rows: ReportRow[]): string {
  const header = ['workload', 'brainer ops/s', 'p50', 'redis 1 conn ops/s', 'p50', 'redis many conns ops/s', 'p50', 'B÷best R ops/s'];
  const pair = (f: SystemFigures | null): string[] => (f === null ? ['-', '-'] : [int(f.opsPerSecond), int(f.p50Us)]);
  const lines = [
    header,
    ...rows.flatMap((r) =>
      r.workload.endsWith('-one')
        ? [
            [
              r.workload,
              ...pair(r.brainer),
              ...pair(r.redisOneConnection ?? r.redis),
              ...pair(r.redisManyConnections),
              ratio(r.brainerOverRedis),
            ],
          ]
        : [],
    ),
  ];
  return `Many callers on one client (one Brainer client instance; Redis: ioredis, auto-pipelined)\n${formatColumns(lines, ROUNDS_FOOTER)}`;
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
