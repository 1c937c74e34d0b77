import { formatColumns, int, median, type LatencySummary } from '@brainer/loadgen';
import { ROUNDS_FOOTER } from './bench-process.js';
import { cpuPerOp, type CpuPerOp } from './report.js';

/** The two write topologies `bench:topology` sets side by side, as bare zeromq.js. */
export const TOPOLOGIES = ['chain', 'directAck'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

/** CPU per op of the broker, the nodes and the process driving the run. */
export type TopologyCpu = Omit<CpuPerOp, 'client'> & { driver: number };

/** One run of one topology: its latencies, and the CPU per op of its broker, its nodes and the driving process. */
export interface TopologyRun {
  summary: LatencySummary;
  cpu: TopologyCpu;
}

/** What one workload gave in every round. */
export type TopologyRounds = Record<Topology, TopologyRun[]>;

export interface TopologyRow {
  workload: string;
  chain: { opsPerSecond: number; p50Us: number; cpu: TopologyCpu };
  directAck: { opsPerSecond: number; p50Us: number; cpu: TopologyCpu };
  /** Median over rounds of direct-ack ops/s ÷ chain ops/s in that round. */
  directAckOverChain: number;
  /** Median over rounds of chain p50 ÷ direct-ack p50 in that round. */
  chainP50OverDirectAck: number;
}

/** `micros`: the CPU time of the broker, then of each node, then of the driving process, over a run of `ops` ops. */
export function topologyCpu(micros: readonly number[], ops: number): TopologyCpu {
  const { client, broker, nodes, busiestNode } = cpuPerOp([micros.at(-1)!, ...micros.slice(0, -1)], ops);
  return { broker, nodes, busiestNode, driver: client };
}

function figures(runs: TopologyRun[]): TopologyRow['chain'] {
  return {
    opsPerSecond: median(runs.map((r) => r.summary.opsPerSecond)),
    p50Us: median(runs.map((r) => r.summary.p50Us)),
    cpu: {
      broker: median(runs.map((r) => r.cpu.broker)),
      nodes: median(runs.map((r) => r.cpu.nodes)),
      busiestNode: median(runs.map((r) => r.cpu.busiestNode)),
      driver: median(runs.map((r) => r.cpu.driver)),
    },
  };
}

/** One row a workload: figures are medians over rounds, ratios medians of the per-round ratios. */
export function topologyRow(workload: string, rounds: TopologyRounds): TopologyRow {
  const { chain, directAck } = rounds;
  return {
    workload,
    chain: figures(chain),
    directAck: figures(directAck),
    directAckOverChain: median(directAck.map((r, i) => r.summary.opsPerSecond / chain[i]!.summary.opsPerSecond)),
    chainP50OverDirectAck: median(directAck.map((r, i) => chain[i]!.summary.p50Us / r.summary.p50Us)),
  };
}

const us = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');

export function formatTopologyTable(rows: readonly TopologyRow[]): string {
  const header = [
    'workload',
    'chain ops/s',
    'p50',
    'direct-ack ops/s',
    'p50',
    'DA÷chain ops/s',
    'chain p50÷DA p50',
    'broker µs/op',
    'nodes µs/op',
    'driver µs/op',
  ];
  const lines = rows.map((r) => [
    r.workload,
    int(r.chain.opsPerSecond),
    int(r.chain.p50Us),
    int(r.directAck.opsPerSecond),
    int(r.directAck.p50Us),
    r.directAckOverChain.toFixed(2),
    r.chainP50OverDirectAck.toFixed(2),
    `${us(r.chain.cpu.broker)} → ${us(r.directAck.cpu.broker)}`,
    `${us(r.chain.cpu.nodes)} → ${us(r.directAck.cpu.nodes)}`,
    `${us(r.chain.cpu.driver)} → ${us(r.directAck.cpu.driver)}`,
  ]);
  return (
    'Raw zeromq.js, no Brainer code: the write chain (client → broker → every node → broker → client) against direct acks\n' +
    '(client → broker → every node → client); CPU per op is chain → direct-ack, all nodes together\n' +
    formatColumns([header, ...lines], ROUNDS_FOOTER)
  );
}
