/**
 * bench — Brainer against Redis (master + 2 replicas) and the raw ZeroMQ floor, in one run.
 * Each workload runs on every system, alternating, for several rounds; the ratios quoted are the
 * medians of the per-round ratios between adjacent runs.
 *
 *   npm run bench -- [--quick] [--rounds 3] [--duration-ms 3000] [--keys 100000] [--memory]
 *                    [--memory-keys 1000000] [--redis-server /usr/bin/redis-server]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startCluster, type TestCluster } from '@brainer/test-utils';
import { brainerTarget } from './brainer-target.js';
import type { LatencySummary } from './latency.js';
import { measureMemory, type MemoryFigures } from './memory.js';
import { findRedisServer, REDIS_INSTALL_HINT, startRedisCluster, DEFAULT_REDIS_SERVER, type RedisCluster } from './redis-cluster.js';
import { redisTarget } from './redis-target.js';
import { cpuOverWindow } from './process-cpu.js';
import { buildRows, cpuPerOp, formatCpuTable, formatTable, readScaleOut, zmqFigures, type CpuPerOp, type RoundResult } from './report.js';
import { saveResults } from './results.js';
import { runClosedLoop, type LoopOptions } from './run-loop.js';
import { keyName, type Target } from './target.js';
import { WORKLOADS, type WorkloadName } from './workloads.js';
import { startZmqEcho, type ZmqEcho } from './zmq-echo.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'duration-ms': { type: 'string' },
    keys: { type: 'string' },
    'value-bytes': { type: 'string', default: '100' },
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
const connections = Math.max(...WORKLOADS.map((w) => w.connections));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

let redisCluster: RedisCluster | undefined;
let cluster: TestCluster | undefined;
let zmq: ZmqEcho | undefined;
const targets: Target[] = [];
let stopping: Promise<void> | undefined;
/** Stops everything this run started, by PID: clients, the Redis servers, the cluster, the echo. */
const stopAll = (): Promise<void> =>
  (stopping ??= (async () => {
    await Promise.all(targets.map((t) => t.close().catch(() => undefined)));
    await Promise.allSettled([redisCluster?.stop(), cluster?.stop(), zmq?.stop()]);
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every process started`);
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  const redisServer = findRedisServer(args['redis-server']);
  if (redisServer === undefined) console.log(REDIS_INSTALL_HINT);
  log(`starting: ${redisServer === undefined ? '' : 'Redis master + 2 replicas, '}Brainer broker + 3 nodes, raw ZeroMQ echo`);
  if (redisServer !== undefined) redisCluster = await startRedisCluster(redisServer, 2);
  cluster = await startCluster({ nodes: 3, logLevel: 'warn', readyTimeoutMs: 60_000 });
  zmq = await startZmqEcho();
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
  const results: RoundResult[] = [];
  // The broker first, then the nodes: what each uses per op shows where the work is done.
  const brainerPids = [cluster.broker.pid, ...cluster.nodes.map((node) => node.pid)];
  const brainerCpu: Partial<Record<WorkloadName, Promise<CpuPerOp>>> = {};
  for (let round = 0; round < rounds; round++) {
    const zmqRun = await runClosedLoop(1, () => echo.roundTrip(value), loop);
    log(`round ${round + 1} zmq echo: ${Math.round(zmqRun.opsPerSecond)} ops/s p50 ${Math.round(zmqRun.p50Us)} µs`);
    const result: RoundResult = { round: round + 1, zmq: zmqRun, runs: {} };
    for (const [index, workload] of WORKLOADS.entries()) {
      // Alternate which system goes first, so neither always runs on a warmer (or busier) host.
      const order = (round + index) % 2 === 0 ? [redis, brainer] : [brainer, redis];
      const run: Partial<Record<Target['name'], LatencySummary>> = {};
      for (const target of order) {
        if (target === undefined) continue;
        const op = workload.op(target, keys, value, 1000 * round + index + 1);
        const cpu = target === brainer ? cpuOverWindow(brainerPids, loop.warmupMs, loop.durationMs) : undefined;
        const summary = await runClosedLoop(workload.connections * workload.inFlight, op, loop);
        run[target.name] = summary;
        if (cpu !== undefined) brainerCpu[workload.name] = cpu.then((micros) => cpuPerOp(micros, summary.ops));
        log(
          `round ${round + 1} ${workload.name} ${target.name}: ${Math.round(summary.opsPerSecond)} ops/s p50 ${Math.round(summary.p50Us)} µs` +
            (summary.errors > 0 ? ` (${summary.errors} errors)` : ''),
        );
      }
      const cpu = await brainerCpu[workload.name];
      result.runs[workload.name] = { brainer: run.brainer!, ...(run.redis === undefined ? {} : { redis: run.redis }), brainerCpu: cpu };
    }
    results.push(result);
  }

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
  console.log(formatCpuTable(rows));
  const projection = readScaleOut(rows);
  if (projection !== undefined) console.log(projection);
  if (memory !== undefined) {
    const ratio = memory.redisBytesPerKey === null ? '' : ` (${(memory.brainerBytesPerKey / memory.redisBytesPerKey).toFixed(2)} × Redis)`;
    console.log(
      `memory per key (${memory.keys} keys × ${memory.valueBytes} B): brainer ${Math.round(memory.brainerBytesPerKey)} B${ratio}, redis ${memory.redisBytesPerKey === null ? '-' : `${Math.round(memory.redisBytesPerKey)} B`}`,
    );
  }
  const file = await saveResults('compare', {
    command: `node packages/bench/dist/src/compare.js ${process.argv.slice(2).join(' ')}`.trim(),
    host: { loadavg: loadavg(), cpus: cpus().length },
    settings: { quick, rounds, durationMs, warmupMs: loop.warmupMs, keys, valueBytes: value.length, redis: redisServer ?? null },
    rows,
    zmq: zmqRow,
    memory: memory ?? null,
    rounds: results,
  });
  console.log(`results: ${file}`);
} catch (err) {
  process.exitCode = 1;
  console.error(err);
} finally {
  await stopAll();
}
