/**
 * bench:metrics — what `--metrics` costs a `wait=all` write: W1 and W8 on two Brainer clusters of
 * three nodes side by side, one without metrics and one with `--metrics` on the broker and every
 * node, scraped once a second while it runs (Prometheus's default is every 15 s). The two alternate
 * which runs first each round; the ratios quoted are medians of per-round ratios.
 *
 *   npm run bench:metrics -- [--quick] [--rounds 5] [--duration-ms 3000] [--keys 100000] [--control]
 *
 * `--control` runs both clusters without metrics (an A/A run): what the two differ by then is the
 * host's noise, against which the ratio means something.
 */
import { parseArgs } from 'node:util';
import { formatColumns, int, median, runClosedLoop, type LatencySummary, type LoopOptions } from '@brainer/loadgen';
import { startCluster, type TestCluster } from '@brainer/test-utils';
import { log, ROUND_OPTIONS, ROUNDS_FOOTER, runScript, stopOnce } from './bench-process.js';
import { brainerTarget } from './brainer-target.js';
import { keyName, type Target } from './target.js';
import { REPLICATED_WRITES } from './workloads.js';

const { values: args } = parseArgs({ options: { ...ROUND_OPTIONS, control: { type: 'boolean', default: false } } });
const quick = args.quick;
const rounds = Number(args.rounds ?? (quick ? 1 : 5));
const loop: LoopOptions = { durationMs: Number(args['duration-ms'] ?? (quick ? 800 : 3000)), warmupMs: quick ? 200 : 500 };
const keys = Number(args.keys ?? (quick ? 10_000 : 100_000));
const value = Buffer.alloc(Number(args['value-bytes']), 'v');
const workloads = REPLICATED_WRITES.filter((workload) => workload.name === 'W1' || workload.name === 'W8');
const SCRAPE_MS = 1000;

const clusters: TestCluster[] = [];
const targets: Target[] = [];
let scraper: NodeJS.Timeout | undefined;
const stopAll = stopOnce(async () => {
  clearInterval(scraper);
  await Promise.all(targets.map((target) => target.close().catch(() => undefined)));
  await Promise.allSettled(clusters.map((cluster) => cluster.stop()));
});

await runScript(async () => {
  log('starting: two Brainer clusters of a broker + 3 nodes, one with --metrics');
  const off = await startCluster({ nodes: 3, logLevel: 'warn', readyTimeoutMs: 60_000 });
  clusters.push(off);
  const metricsArgs = args.control ? [] : ['--metrics', '0'];
  const on = await startCluster({ nodes: 3, logLevel: 'warn', readyTimeoutMs: 60_000, brokerArgs: metricsArgs, nodeArgs: metricsArgs });
  clusters.push(on);
  const urls = args.control ? [] : [on.broker, ...on.nodes].map((process) => process.readyLine.metrics!);
  let scrapes = 0;
  scraper = setInterval(() => {
    for (const url of urls)
      void fetch(url).then(
        async (response) => void (await response.text()),
        () => undefined,
      );
    scrapes++;
  }, SCRAPE_MS);
  const connections = Math.max(...workloads.map((workload) => workload.connections));
  const systems = { off: await brainerTarget(off, connections), on: await brainerTarget(on, connections) };
  targets.push(systems.off, systems.on);
  for (const target of targets) await target.preload(keyName, keys, value);

  const runs: Record<string, { off: LatencySummary[]; on: LatencySummary[] }> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [index, workload] of workloads.entries()) {
      const order = (round + index) % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const name of order) {
        const op = workload.op(systems[name], keys, value, 1000 * round + index + 1);
        const summary = await runClosedLoop(workload.connections * workload.inFlight, op, loop);
        (runs[workload.name] ??= { off: [], on: [] })[name].push(summary);
        log(
          `round ${round + 1} ${workload.name} metrics ${name}: ${Math.round(summary.opsPerSecond)} ops/s p50 ${Math.round(summary.p50Us)} µs`,
        );
      }
    }
  }
  const rows = Object.entries(runs).map(([name, { off: without, on: withMetrics }]) => [
    name,
    int(median(without.map((s) => s.opsPerSecond))),
    int(median(without.map((s) => s.p50Us))),
    int(median(withMetrics.map((s) => s.opsPerSecond))),
    int(median(withMetrics.map((s) => s.p50Us))),
    median(withMetrics.map((s, i) => s.opsPerSecond / without[i]!.opsPerSecond)).toFixed(2),
    String(without.length),
  ]);
  console.log(
    formatColumns(
      [['workload', 'off ops/s', 'off p50', 'on ops/s', 'on p50', 'on ÷ off', 'rounds'], ...rows],
      `${ROUNDS_FOOTER}; ${scrapes} scrapes of the broker and 3 nodes, one a second`,
    ),
  );
}, stopAll);
