import { formatColumns, int, median, type LatencySummary } from '@brainer/loadgen';
import { ROUNDS_FOOTER } from './bench-process.js';

/** The read patterns `bench:direct` measures, each along every path. */
export const DIRECT_ROWS = [
  { name: 'sync', description: 'synchronous read: 1 connection, 1 in flight', connections: 1, inFlight: 1 },
  { name: 'pipelined', description: 'pipelined read: 1 connection, 100 in flight', connections: 1, inFlight: 100 },
  { name: 'parallel', description: '50 connections × 16 in flight', connections: 50, inFlight: 16 },
] as const;

/**
 * The ways a read can go. `brokered`: client → broker → node and back (`reads: 'broker'`).
 * `direct`: the client of the cluster reads from the key's primary, learnt from the broker's
 * membership pushes (`reads: 'direct'`, the default). `node`: `Brainer.direct` to one node's endpoint.
 */
export const PATHS = ['brokered', 'direct', 'node'] as const;
export type Path = (typeof PATHS)[number];

export interface DirectRow {
  row: string;
  path: Path;
  opsPerSecond: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  /** Median over rounds of (this path's ops/s ÷ brokered ops/s) in that round. */
  overBrokeredOps: number;
  /** Median over rounds of (brokered p50 ÷ this path's p50) in that round. */
  brokeredP50Over: number;
}

/** One row per pattern and path: figures are medians over rounds, ratios medians of per-round ratios. */
export function directRows(runs: Record<string, Record<Path, LatencySummary[]>>): DirectRow[] {
  return DIRECT_ROWS.flatMap(({ name }) => {
    const brokered = runs[name]!.brokered;
    return PATHS.map((path) => {
      const summaries = runs[name]![path];
      return {
        row: name,
        path,
        opsPerSecond: median(summaries.map((s) => s.opsPerSecond)),
        p50Us: median(summaries.map((s) => s.p50Us)),
        p99Us: median(summaries.map((s) => s.p99Us)),
        errors: summaries.reduce((sum, s) => sum + s.errors, 0),
        overBrokeredOps: median(summaries.map((s, i) => s.opsPerSecond / brokered[i]!.opsPerSecond)),
        brokeredP50Over: median(summaries.map((s, i) => brokered[i]!.p50Us / s.p50Us)),
      };
    });
  });
}

export function formatDirectTable(rows: DirectRow[]): string {
  const header = ['read', 'path', 'ops/s', 'p50', 'p99', 'ops/s ÷ brokered', 'brokered p50 ÷ p50', 'errors'];
  const lines = rows.map((r) => [
    r.row,
    r.path,
    int(r.opsPerSecond),
    int(r.p50Us),
    int(r.p99Us),
    r.overBrokeredOps.toFixed(2),
    r.brokeredP50Over.toFixed(2),
    String(r.errors),
  ]);
  return formatColumns([header, ...lines], ROUNDS_FOOTER, 2);
}
