/**
 * bench:direct — the cost of the broker hop: reads through the broker (client → broker → node and
 * back) against reads straight from the nodes (client → node and back), both as a cluster client
 * with `reads: 'direct'` and as `Brainer.direct` to one node, on one cluster of a broker and three
 * nodes. Each pattern runs along every path, rotating which goes first, for several rounds; figures
 * are medians over rounds, ratios medians of the per-round ratios.
 *
 *   npm run bench:direct -- [--quick] [--rounds 5] [--duration-ms 2000] [--keys 100000] [--value-bytes 100]
 */
import { parseArgs } from 'node:util';
import { Brainer } from '@brainer/client';
import { mulberry32, runClosedLoop, uniform, type LatencySummary, type LoopOptions } from '@brainer/loadgen';
import { startCluster, type TestCluster } from '@brainer/test-utils';
import { log, ROUND_OPTIONS, runScript, stopOnce } from './bench-process.js';
import { brainerTarget } from './brainer-target.js';
import { DIRECT_ROWS, PATHS, directRows, formatDirectTable, type Path } from './direct-report.js';
import { printResults } from './results.js';
import { keyName } from './target.js';

const { values: args } = parseArgs({ options: ROUND_OPTIONS });
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 5));
const loop: LoopOptions = { durationMs: Number(args['duration-ms'] ?? (quick ? 500 : 2000)), warmupMs: quick ? 100 : 300 };
const keys = Number(args.keys ?? (quick ? 5_000 : 100_000));
const value = Buffer.alloc(Number(args['value-bytes']), 'v');
const connections = Math.max(...DIRECT_ROWS.map((row) => row.connections));

let cluster: TestCluster | undefined;
const clients: Brainer[] = [];
/** Stops what this run started: the clients, then the cluster's processes, by PID. */
const stopAll = stopOnce(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await cluster?.stop();
});

async function connected(client: Brainer): Promise<Brainer> {
  clients.push(client);
  await client.connect();
  return client;
}

async function main(): Promise<void> {
  log('starting: Brainer broker + 3 nodes');
  cluster = await startCluster({ nodes: 3, logLevel: 'warn', readyTimeoutMs: 60_000 });
  const loader = await brainerTarget(cluster, 1);
  await loader.preload(keyName, keys, value);
  await loader.close();
  log(`preloaded ${keys} keys × ${value.length} B`);

  // One client per connection and path; `node` connection i reads from node i mod 3 (every node holds every key).
  const pools: Record<Path, Brainer[]> = { brokered: [], direct: [], node: [] };
  for (let i = 0; i < connections; i++) {
    pools.brokered.push(await connected(new Brainer(cluster.endpoint, { timeoutMs: 30_000, reads: 'broker' })));
    pools.direct.push(await connected(new Brainer(cluster.endpoint, { timeoutMs: 30_000, reads: 'direct' })));
    pools.node.push(await connected(Brainer.direct(cluster.nodes[i % cluster.nodes.length]!.endpoint, { timeoutMs: 30_000 })));
  }

  const runs: Record<string, Record<Path, LatencySummary[]>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [index, row] of DIRECT_ROWS.entries()) {
      // Rotate which path goes first, so none always runs on a warmer (or busier) host.
      const shift = (round + index) % PATHS.length;
      for (const path of [...PATHS.slice(shift), ...PATHS.slice(0, shift)]) {
        const next = uniform(keys, mulberry32(1000 * round + index + 1));
        const pool = pools[path];
        const summary = await runClosedLoop(
          row.connections * row.inFlight,
          (worker) => pool[Math.floor(worker / row.inFlight)]!.getBuffer(keyName(next())),
          loop,
        );
        (runs[row.name] ??= { brokered: [], direct: [], node: [] })[path].push(summary);
        log(`round ${round + 1} ${row.name} ${path}: ${Math.round(summary.opsPerSecond)} ops/s p50 ${Math.round(summary.p50Us)} µs`);
      }
    }
  }

  const table = directRows(runs);
  console.log(formatDirectTable(table));
  await printResults('direct', {
    settings: { quick, rounds, durationMs: loop.durationMs, warmupMs: loop.warmupMs, keys, valueBytes: value.length },
    rows: table,
    runs,
  });
}

await runScript(main, stopAll);
