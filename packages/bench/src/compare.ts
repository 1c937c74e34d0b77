/**
 * bench — Brainer against Redis (master + 2 replicas) and the raw ZeroMQ floors (an echo, and a
 * write chain with the topology of a `wait=all` write), in one run: many callers sharing one
 * client, N connections of a client instance each, the CPU per op of every process, and issue
 * 20's targets.
 * Each workload runs on every system, alternating, for several rounds; the ratios quoted are the
 * medians of the per-round ratios between adjacent runs.
 *
 *   npm run bench -- [--quick] [--rounds 3] [--duration-ms 3000] [--keys 100000] [--memory]
 *                    [--memory-keys 1000000] [--redis-server /usr/bin/redis-server]
 */
import { parseArgs } from 'node:util';
import { runClosedLoop, type LatencySummary, type LoopOptions } from '@brainer/loadgen';
import { startCluster, type TestCluster } from '@brainer/test-utils';
import { log, ROUND_OPTIONS, runScript, stopOnce } from './bench-process.js';
import { brainerTarget } from './brainer-target.js';
import { measureMemory, type MemoryFigures } from './memory.js';
import { findRedisServer, REDIS_INSTALL_HINT, startRedisCluster, DEFAULT_REDIS_SERVER, type RedisCluster } from './redis-cluster.js';
import { redisTarget } from './redis-target.js';
import { cpuOverWindow } from './process-cpu.js';
import { formatHostLoad, hostCpu, hostLoadSince } from './host-load.js';
import {
  buildRows,
  cpuPerOp,
  formatChainTable,
  formatCpuOverChainTable,
  formatCpuTable,
  formatOneClientTable,
  formatTable,
  readScaleOut,
  zmqFigures,
  type CpuPerOp,
  type RoundResult,
} from './report.js';
import { printResults } from './results.js';
import { formatTargets } from './targets.js';
import { keyName, type Target } from './target.js';
import { REPLICATED_WRITES, WORKLOADS, type WorkloadName } from './workloads.js';
import { startZmqEcho, type ZmqEcho } from './zmq-echo.js';
import { startZmqWriteChain, type ZmqWriteChain } from './zmq-write-chain.js';
import { requestFrame } from './zmq-write-chain-frames.js';

const { values: args } = parseArgs({
  options: {
    ...ROUND_OPTIONS,
    memory: { type: 'boolean', default: false },
    'memory-keys': { type: 'string', default: '1000000' },
    'redis-server': { type: 'string', default: DEFAULT_REDIS_SERVER },
  },
});
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 3));
const durationMs = Number(args['duration-ms'] ?? (quick ? 800 : 3000));
const loop: LoopOptions = { durationMs, warmupMs: quick ? 200 : 500 };
const keys = Number(args.keys ?? (quick ? 10_000 : 100_000));
const value = Buffer.alloc(Number(args['value-bytes']), 'v');
const connections = Math.max(...WORKLOADS.flatMap((w) => [w.connections, w.manyConnections?.connections ?? 0]));
/** Brainer's nodes, and the raw write chain's. */
const NODES = 3;
// The 12-byte key and the value, about what a Brainer set frame carries.
const chainRequest = requestFrame(keyName(0), value);

const logRun = (label: string, summary: LatencySummary): void =>
  log(
    `${label}: ${Math.round(summary.opsPerSecond)} ops/s p50 ${Math.round(summary.p50Us)} µs` +
      (summary.errors > 0 ? ` (${summary.errors} errors)` : ''),
  );

let redisCluster: RedisCluster | undefined;
let cluster: TestCluster | undefined;
let zmq: ZmqEcho | undefined;
let zmqChain: ZmqWriteChain | undefined;
const targets: Target[] = [];
/** Stops everything this run started, by PID: clients, the Redis servers, the cluster, the raw ZeroMQ floors. */
const stopAll = stopOnce(async () => {
  await Promise.all(targets.map((t) => t.close().catch(() => undefined)));
  await Promise.allSettled([redisCluster?.stop(), cluster?.stop(), zmq?.stop(), zmqChain?.stop()]);
});

await runScript(async () => {
  const redisServer = findRedisServer(args['redis-server']);
  if (redisServer === undefined) console.log(REDIS_INSTALL_HINT);
  log(
    `starting: ${redisServer === undefined ? '' : 'Redis master + 2 replicas, '}Brainer broker + ${NODES} nodes, raw ZeroMQ echo and write chain`,
  );
  if (redisServer !== undefined) redisCluster = await startRedisCluster(redisServer, 2);
  cluster = await startCluster({ nodes: NODES, logLevel: 'warn', readyTimeoutMs: 60_000 });
  zmq = await startZmqEcho();
  zmqChain = await startZmqWriteChain(Math.max(...REPLICATED_WRITES.map((w) => w.connections)), NODES);
  const brainer = await brainerTarget(cluster, connections);
  targets.push(brainer);
  const redis =
    redisCluster === undefined ? undefined : await redisTarget(redisCluster.master.port, connections, redisCluster.replicas.length);
  if (redis !== undefined) targets.push(redis);

  for (const target of targets) {
    const start = performance.now();
    await target.preload(keyName, keys, value);
    log(`preloaded ${keys} keys × ${value.length} B into ${target.name} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }

  const echo = zmq;
  const chain = zmqChain;
  const results: RoundResult[] = [];
  // This process (which drives the clients), the broker, then the nodes: what each uses per op shows where the work is done.
  const brainerPids = [process.pid, cluster.broker.pid, ...cluster.nodes.map((node) => node.pid)];
  const chainPids = [process.pid, ...chain.pids];
  const brainerCpu: Partial<Record<WorkloadName, Promise<CpuPerOp>>> = {};
  const hostBefore = hostCpu();
  for (let round = 0; round < rounds; round++) {
    const zmqRun = await runClosedLoop(1, () => echo.roundTrip(value), loop);
    logRun(`round ${round + 1} zmq echo`, zmqRun);
    const result: RoundResult = { round: round + 1, zmq: zmqRun, runs: {} };
    for (const [index, workload] of WORKLOADS.entries()) {
      const run: Partial<Record<Target['name'], LatencySummary>> = {};
      let chainRun: LatencySummary | undefined;
      let chainCpu: CpuPerOp | undefined;
      let redisMany: LatencySummary | undefined;
      const runTarget = async (target: Target): Promise<void> => {
        const op = workload.op(target, keys, value, 1000 * round + index + 1);
        const cpu = target === brainer ? cpuOverWindow(brainerPids, loop.warmupMs, loop.durationMs) : undefined;
        const summary = await runClosedLoop(workload.connections * workload.inFlight, op, loop);
        run[target.name] = summary;
        if (cpu !== undefined) brainerCpu[workload.name] = cpu.then((micros) => cpuPerOp(micros, summary.ops));
        logRun(`round ${round + 1} ${workload.name} ${target.name}`, summary);
      };
      const runChain = async (): Promise<void> => {
        const cpu = cpuOverWindow(chainPids, loop.warmupMs, loop.durationMs);
        const summary = await runClosedLoop(workload.connections, (worker) => chain.roundTrip(worker, chainRequest), loop);
        chainRun = summary;
        chainCpu = cpuPerOp(await cpu, summary.ops);
        logRun(`round ${round + 1} ${workload.name} zmq write chain`, summary);
      };
      const many = workload.manyConnections;
      const runRedisMany = async (): Promise<void> => {
        const op = many!.op(redis!, keys, value, 1000 * round + index + 1);
        redisMany = await runClosedLoop(workload.connections * workload.inFlight, op, loop);
        logRun(`round ${round + 1} ${workload.name} redis ${many!.connections} connections`, redisMany);
      };
      // Brainer runs in the middle, next to each of the others, and which of them goes first
      // alternates, so that no system always runs on a warmer (or busier) host.
      const steps = [
        redis === undefined ? undefined : () => runTarget(redis),
        () => runTarget(brainer),
        REPLICATED_WRITES.includes(workload) ? runChain : undefined,
        redis !== undefined && many !== undefined ? runRedisMany : undefined,
      ];
      if ((round + index) % 2 === 1) steps.reverse();
      for (const step of steps) await step?.();
      const cpu = await brainerCpu[workload.name];
      result.runs[workload.name] = {
        brainer: run.brainer!,
        ...(run.redis === undefined ? {} : { redis: run.redis }),
        brainerCpu: cpu,
        ...(redisMany === undefined ? {} : { redisMany }),
        ...(chainRun === undefined ? {} : { zmqChain: chainRun, zmqChainCpu: chainCpu }),
      };
    }
    results.push(result);
  }
  const host = hostLoadSince(hostBefore);

  let memory: MemoryFigures | undefined;
  if (args.memory) {
    const memoryKeys = Number(args['memory-keys']);
    log(`memory: loading ${memoryKeys} keys × ${value.length} B into each system`);
    memory = await measureMemory(
      memoryKeys,
      value,
      { cluster, target: brainer },
      redis === undefined || redisCluster === undefined ? undefined : { port: redisCluster.master.port, target: redis },
    );
  }

  const rows = buildRows(results, WORKLOADS);
  const zmqRow = zmqFigures(results);
  console.log(formatTable(rows, zmqRow));
  console.log(formatOneClientTable(rows));
  console.log(formatChainTable(rows));
  console.log(formatCpuTable(rows));
  console.log(formatCpuOverChainTable(rows));
  console.log(formatHostLoad(host));
  const projection = readScaleOut(rows);
  if (projection !== undefined) console.log(projection);
  const memoryOverRedis =
    memory === undefined || memory.redisBytesPerKey === null ? null : memory.brainerBytesPerKey / memory.redisBytesPerKey;
  if (memory !== undefined) {
    const ratio = memoryOverRedis === null ? '' : ` (${memoryOverRedis.toFixed(2)} × Redis)`;
    console.log(
      `memory per key (${memory.keys} keys × ${memory.valueBytes} B): brainer ${Math.round(memory.brainerBytesPerKey)} B${ratio}, redis ${memory.redisBytesPerKey === null ? '-' : `${Math.round(memory.redisBytesPerKey)} B`}`,
    );
  }
  console.log(formatTargets(rows, memoryOverRedis));
  await printResults('compare', {
    settings: { quick, rounds, durationMs, warmupMs: loop.warmupMs, keys, valueBytes: value.length, redis: redisServer ?? null },
    zmqWriteChain: { nodes: NODES, requestBytes: chainRequest.length },
    hostOverRounds: host,
    rows,
    zmq: zmqRow,
    memory: memory ?? null,
    rounds: results,
  });
}, stopAll);
