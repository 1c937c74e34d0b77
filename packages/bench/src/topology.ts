/**
 * bench:topology — what a `wait=all` write could cost with one hop fewer. The raw ZeroMQ write chain
 * (client → broker → every node → broker → client, the topology Brainer has) against a direct-ack
 * chain (client → broker → every node → client: each node acks the write straight to the client),
 * both as bare zeromq.js with no Brainer code, for 1, 8 and 50 connections with one write in flight
 * each. Which goes first alternates; figures are medians over rounds, ratios medians of per-round
 * ratios.
 *
 *   npm run bench:topology -- [--quick] [--rounds 5] [--duration-ms 3000] [--value-bytes 100]
 */
import { parseArgs } from 'node:util';
import { runClosedLoop, type LoopOptions } from '@brainer/loadgen';
import { log, ROUND_OPTIONS, runScript, stopOnce } from './bench-process.js';
import { cpuOverWindow } from './process-cpu.js';
import { printResults } from './results.js';
import { keyName } from './target.js';
import { formatTopologyTable, topologyCpu, topologyRow, type Topology, type TopologyRounds } from './topology-report.js';
import { REPLICATED_WRITES } from './workloads.js';
import { startZmqDirectAck, type ZmqDirectAck } from './zmq-direct-ack.js';
import { startZmqWriteChain, type ZmqWriteChain } from './zmq-write-chain.js';
import { requestFrame } from './zmq-write-chain-frames.js';

const { values: args } = parseArgs({ options: ROUND_OPTIONS });
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 5));
const loop: LoopOptions = { durationMs: Number(args['duration-ms'] ?? (quick ? 500 : 3000)), warmupMs: quick ? 100 : 500 };
const request = requestFrame(keyName(0), Buffer.alloc(Number(args['value-bytes']), 'v'));
const connections = Math.max(...REPLICATED_WRITES.map((w) => w.connections));
const NODES = 3;

let chain: ZmqWriteChain | undefined;
let directAck: ZmqDirectAck | undefined;
const stopAll = stopOnce(async () => {
  await Promise.allSettled([chain?.stop(), directAck?.stop()]);
});

await runScript(async () => {
  log(`starting: raw ZeroMQ write chain and direct-ack chain, each a broker and ${NODES} nodes, ${connections} client connections`);
  chain = await startZmqWriteChain(connections, NODES);
  directAck = await startZmqDirectAck(connections, NODES);
  const systems: Record<Topology, { roundTrip: (worker: number, request: Buffer) => Promise<void>; pids: number[] }> = {
    chain,
    directAck,
  };
  const results: Record<string, TopologyRounds> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [index, workload] of REPLICATED_WRITES.entries()) {
      const runs = (results[workload.name] ??= { chain: [], directAck: [] });
      const order: Topology[] = (round + index) % 2 === 0 ? ['chain', 'directAck'] : ['directAck', 'chain'];
      for (const topology of order) {
        const system = systems[topology];
        const cpu = cpuOverWindow([...system.pids, process.pid], loop.warmupMs, loop.durationMs);
        const summary = await runClosedLoop(workload.connections, (worker) => system.roundTrip(worker, request), loop);
        runs[topology].push({ summary, cpu: topologyCpu(await cpu, summary.ops) });
        log(
          `round ${round + 1} ${workload.name} ${topology}: ${Math.round(summary.opsPerSecond)} ops/s p50 ${Math.round(summary.p50Us)} µs`,
        );
      }
    }
  }
  const rows = REPLICATED_WRITES.map((workload) => topologyRow(workload.name, results[workload.name]!));
  console.log(formatTopologyTable(rows));
  await printResults('topology', {
    settings: { quick, rounds, durationMs: loop.durationMs, warmupMs: loop.warmupMs, nodes: NODES, requestBytes: request.length },
    rows,
    rounds: results,
  });
}, stopAll);
