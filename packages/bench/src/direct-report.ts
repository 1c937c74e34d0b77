import { median, type LatencySummary } from './latency.js';
import { formatColumns, int, ROUNDS_FOOTER } from './text-table.js';

/** The read patterns `bench:direct` measures, each through the broker and straight from the nodes. */
export const DIRECT_ROWS = [
  { name: 'sync', description: 'synchronous read: 1 connection, 1 in flight', connections: 1, inFlight: 1 },
  { name: 'pipelined', description: 'pipelined read: 1 connection, 100 in flight', connections: 1, inFlight: 100 },
  { name: 'parallel', description: '50 connections × 16 in flight', connections: 50, inFlight: 16 },
] as const;

export type Path = 'brokered' | 'direct';

export interface PathFigures {
  opsPerSecond: number;
  p50Us: number;
  p99Us: number;
  errors: number;
}

export interface DirectRow {
  row: string;
  description: string;
  brokered: PathFigures;
  direct: PathFigures;
  /** Median over rounds of (direct ops/s ÷ brokered ops/s) in that round. */
  directOverBrokeredOps: number;
  /** Median over rounds of (brokered p50 ÷ direct p50) in that round. */
  brokeredOverDirectP50: number;
}

/** Medians over rounds; errors summed. */
export function pathFigures(summaries: LatencySummary[]): PathFigures {
  return {
    opsPerSecond: median(summaries.map((s) => s.opsPerSecond)),
    p50Us: median(summaries.map((s) => s.p50Us)),
    p99Us: median(summaries.map((s) => s.p99Us)),
    errors: summaries.reduce((sum, s) => sum + s.errors, 0),
  };
}

/** One line per row: both paths' figures and the ratios. */
export function formatDirectTable(rows: DirectRow[]): string {
  const header = ['read', 'brokered ops/s', 'p50', 'p99', 'direct ops/s', 'p50', 'p99', 'D÷B ops/s', 'B p50÷D p50', 'errors'];
  const cells = (f: PathFigures): string[] => [int(f.opsPerSecond), int(f.p50Us), int(f.p99Us)];
  const lines = rows.map((r) => [
    r.row,
    ...cells(r.brokered),
    ...cells(r.direct),
    r.directOverBrokeredOps.toFixed(2),
    r.brokeredOverDirectP50.toFixed(2),
    String(r.brokered.errors + r.direct.errors),
  ]);
  return formatColumns([header, ...lines], ROUNDS_FOOTER);
}
