import { formatColumns } from '@brainer/loadgen';
import type { ReportRow } from './report.js';
import type { WorkloadName } from './workloads.js';

/** One of issue 20's targets: a figure of the run, and the bound it must reach. */
interface Target {
  name: string;
  figure(rows: ReportRow[], memoryOverRedis: number | null): number | null;
  /** `min`: the figure must be at least `bound`; `max`: at most. */
  kind: 'min' | 'max';
  bound: number;
}

const row = (rows: ReportRow[], name: WorkloadName): ReportRow | undefined => rows.find((r) => r.workload === name);

const TARGETS: readonly Target[] = [
  {
    name: 'W64-one: Brainer ÷ Redis (better of 1 and 50 connections)',
    figure: (r) => row(r, 'W64-one')?.brainerOverRedis ?? null,
    kind: 'min',
    bound: 1,
  },
  {
    name: 'R64-one: Brainer ÷ Redis (1 auto-pipelined connection)',
    figure: (r) => row(r, 'R64-one')?.brainerOverRedis ?? null,
    kind: 'min',
    bound: 0.8,
  },
  {
    name: "R64-any (opt-in readFrom 'any-node'): Brainer ÷ Redis",
    figure: (r) => row(r, 'R64-any')?.brainerOverRedis ?? null,
    kind: 'min',
    bound: 0.8,
  },
  { name: 'W1: Brainer ÷ raw write chain', figure: (r) => row(r, 'W1')?.brainerOverZmqChain ?? null, kind: 'min', bound: 0.9 },
  { name: 'W8: Brainer ÷ raw write chain', figure: (r) => row(r, 'W8')?.brainerOverZmqChain ?? null, kind: 'min', bound: 0.95 },
  { name: 'W50: Brainer ÷ raw write chain', figure: (r) => row(r, 'W50')?.brainerOverZmqChain ?? null, kind: 'min', bound: 1 },
  ...(['broker', 'nodes', 'client'] as const).map(
    (process): Target => ({
      name: `W1: CPU per write, ${process} ÷ chain's`,
      figure: (r) => row(r, 'W1')?.cpuOverZmqChain?.[process] ?? null,
      kind: 'max',
      bound: 1.15,
    }),
  ),
  { name: 'R1: p50 ÷ raw ZeroMQ echo p50', figure: (r) => row(r, 'R1')?.brainerP50OverZmqP50 ?? null, kind: 'max', bound: 1.3 },
  { name: 'memory per key ÷ Redis (--memory)', figure: (_r, memory) => memory, kind: 'max', bound: 1 },
];

/** Issue 20's targets against this run: each figure, its bound, and whether it was met. */
export function formatTargets(rows: ReportRow[], memoryOverRedis: number | null): string {
  const lines = [
    ['target', 'figure', 'bound', 'met'],
    ...TARGETS.map(({ name, figure, kind, bound }) => {
      const value = figure(rows, memoryOverRedis);
      const known = value !== null && Number.isFinite(value);
      const met = !known ? '-' : (kind === 'min' ? value >= bound : value <= bound) ? 'yes' : 'no';
      return [name, known ? value.toFixed(2) : '-', `${kind === 'min' ? '≥' : '≤'} ${bound}`, met];
    }),
  ];
  return `Issue 20's targets (ratios are medians of per-round ratios)\n${formatColumns(lines)}`;
}
