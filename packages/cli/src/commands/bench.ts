import type { Brainer } from '@brainer/client';
import { runClosedLoop } from '@brainer/loadgen';
import { DEFAULT_LIMITS } from '@brainer/protocol';
import { Flags } from '@oclif/core';
import {
  benchKeyName,
  BENCH_WORKLOADS,
  workloadIsZipfian,
  workloadOp,
  workloadReads,
  type BenchWorkload,
  type ReadTally,
} from '../bench/bench-workloads.js';
import {
  errorLines,
  formatBenchTable,
  missLines,
  viaBrokerLines,
  type BenchReport,
  type BenchRow,
  type BenchSettings,
} from '../bench/bench-report.js';
import { FirstErrors } from '../bench/first-errors.js';
import { deleteBenchKeys } from '../bench/cleanup.js';
import { fenceKeyName, preloadKeys } from '../bench/preload.js';
import { ClientCommand, clientFlags } from '../client-command.js';
import { curveNodeKey, curveNodeKeyFlags, curveRequested } from '../curve-flags.js';
import { errorInContext, EXIT_FAILURE, EXIT_INTERRUPTED, UsageError } from '../errors.js';
import { secondsFlag } from '../seconds-flag.js';

/** The most ops in flight over all connections. */
const MAX_OPS_IN_FLIGHT = 100_000;

export default class BenchCommand extends ClientCommand {
  static override summary = 'Measure the throughput and latency of a running cluster, like redis-benchmark.';
  static override description = `Drives the cluster at --broker with --connections clients (one connection each), each keeping --in-flight ops in flight, and prints one row a workload: ops/s and the p50, p99 and p99.9 latencies in µs of the ops that succeeded, and how many failed. Every workload runs for --warmup seconds unmeasured, then --duration seconds measured; several (comma-separated or --workload repeated) run one after another. All clients connect before the clock starts.

Workloads: write (set, wait=all), write-primary (set, wait=primary), read (get), ycsb-a (50% get, 50% set wait=primary, zipfian keys), ycsb-b (95% get), ycsb-c (100% get, zipfian keys). Keys are --key-prefix followed by a number below --keys; values are --value-bytes bytes. When any of the workloads reads, every key of the key space is first written once (wait=primary, then a last write to <prefix>fence with wait=all), unless --no-preload is given; on a terminal a progress bar shows it. The keys stay in the cluster afterwards, and the bench says so on stderr; --cleanup deletes them all (the whole key space and the fence key) once the workloads are done.

The misses column is the share of reads, warmup included, that found no value; after a preload any miss is also reported on stderr (the key was evicted, expired or deleted meanwhile). --seed fixes the keys drawn, so that a run can be repeated.

--reads direct (the default, as in the client library) reads from the nodes, which must then be reachable from here; --reads broker reads through the broker. Under CURVE, --reads direct needs the nodes' public key (--node-key or --node-key-file), and the nodes must let this client's key in (run-node --allowed-keys). With --json one JSON document is printed: {options, preload, rows, interrupted}. Ctrl-C stops the run early, prints what was measured and exits 130. The exit code is 1 when any op failed (the first message of each error code is printed on stderr, or is in the rows' firstErrors), 0 otherwise. For a side-by-side comparison with Redis and raw ZeroMQ on one machine, see \`npm run bench\` in the repository.`;
  static override examples = [
    '<%= config.bin %> <%= command.id %> --broker tcp://10.0.0.1:5555',
    '<%= config.bin %> <%= command.id %> --workload write,read,ycsb-b --connections 8 --in-flight 16 --duration 30',
    '<%= config.bin %> <%= command.id %> --workload ycsb-c --reads broker --keys 1000000 --value-bytes 1024 --json',
  ];
  static override flags = {
    ...clientFlags,
    workload: Flags.option({
      description: 'What to run: one workload, or several comma-separated (or the flag repeated), run one after another.',
      options: BENCH_WORKLOADS,
      multiple: true,
      delimiter: ',',
      default: ['write'],
    })(),
    connections: Flags.integer({
      description: 'Clients, each with its own connection to the broker.',
      helpValue: '<n>',
      default: 1,
      min: 1,
      max: 1000,
    }),
    'in-flight': Flags.integer({ description: 'Ops each connection keeps in flight.', helpValue: '<n>', default: 1, min: 1, max: 10_000 }),
    duration: secondsFlag({ description: 'Measured time of each workload, in seconds (decimals allowed).', default: 10, min: 0.001 }),
    warmup: secondsFlag({ description: 'Unmeasured time before each workload is measured, in seconds.', default: 1, min: 0 }),
    keys: Flags.integer({ description: 'The size of the key space.', helpValue: '<n>', default: 100_000, min: 1, max: 100_000_000 }),
    'value-bytes': Flags.integer({
      description: 'The size of every value written, in bytes.',
      helpValue: '<bytes>',
      default: 100,
      min: 0,
      max: DEFAULT_LIMITS.maxValueBytes,
    }),
    'key-prefix': Flags.string({
      description: 'What every key starts with, to keep clear of your own keys.',
      helpValue: '<prefix>',
      default: 'bench:',
    }),
    reads: Flags.option({
      description: 'Where gets go: straight to the nodes (they must be reachable), or through the broker.',
      options: ['direct', 'broker'] as const,
      default: 'direct' as const,
    })(),
    seed: Flags.integer({
      description: 'Seeds the key choices and the mix of reads and writes: the same seed draws the same keys. Workload i uses seed + i.',
      helpValue: '<n>',
      default: 1,
      min: 0,
      max: 2 ** 31,
    }),
    ...curveNodeKeyFlags,
    cleanup: Flags.boolean({
      description: 'Delete every bench key (the whole key space and <prefix>fence) when done. Without it they stay in the cluster.',
      default: false,
    }),
    preload: Flags.boolean({
      description: 'Write every key before a workload that reads. --no-preload skips it (reads of missing keys then answer nothing).',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(BenchCommand);
    const workloads: BenchWorkload[] = flags.workload;
    const prefix = flags['key-prefix'];
    if (flags.keys < 2 && workloads.some(workloadIsZipfian))
      throw new UsageError(`--keys ${flags.keys}: the ycsb workloads draw zipfian keys and need at least 2`);
    const workers = flags.connections * flags['in-flight'];
    if (workers > MAX_OPS_IN_FLIGHT)
      throw new UsageError(`--connections × --in-flight is ${workers}; at most ${MAX_OPS_IN_FLIGHT} ops may be in flight`);
    const nodeKeyGiven = flags['node-key'] !== undefined || flags['node-key-file'] !== undefined;
    if (curveRequested(flags)) {
      if (flags.reads === 'direct' && !nodeKeyGiven)
        throw new UsageError(
          "--reads direct under CURVE needs the nodes' public key: give --node-key or --node-key-file, or read through the broker with --reads broker",
        );
      if (flags.reads === 'broker' && nodeKeyGiven)
        throw new UsageError('--node-key and --node-key-file are for --reads direct; --reads broker never connects to the nodes');
    } else if (nodeKeyGiven) {
      throw new UsageError(
        '--node-key and --node-key-file are for CURVE: give --curve-key-file and --broker-key (or --broker-key-file) too',
      );
    }
    const nodeServerKey = await curveNodeKey(flags);
    const keyName = benchKeyName(prefix, flags.keys);
    const keyBytes = Math.max(Buffer.byteLength(keyName(flags.keys - 1)), Buffer.byteLength(fenceKeyName(prefix)));
    if (keyBytes > DEFAULT_LIMITS.maxKeyBytes)
      throw new UsageError(`--key-prefix: the keys would be ${keyBytes} bytes; the limit is ${DEFAULT_LIMITS.maxKeyBytes}`);
    const options: BenchSettings = {
      broker: flags.broker,
      workloads,
      connections: flags.connections,
      inFlight: flags['in-flight'],
      durationSeconds: flags.duration,
      warmupSeconds: flags.warmup,
      keys: flags.keys,
      valueBytes: flags['value-bytes'],
      keyPrefix: prefix,
      reads: flags.reads,
      preload: flags.preload && workloads.some(workloadReads),
      seed: flags.seed,
      timeoutMs: flags.timeout,
    };
    const interrupt = new AbortController();
    const onSigint = (): void => interrupt.abort();
    process.once('SIGINT', onSigint);
    let report: BenchReport;
    try {
      report = await this.withClients(flags, flags.connections, { reads: flags.reads, nodeServerKey }, (clients) =>
        this.measure(clients, options, keyName, interrupt.signal, flags.json, flags.cleanup),
      );
    } finally {
      process.removeListener('SIGINT', onSigint);
    }

    if (flags.json) this.writeLine(JSON.stringify(report));
    else {
      if (report.rows.length > 0) this.writeLine(formatBenchTable(report));
      for (const line of [...errorLines(report.rows), ...missLines(report), ...viaBrokerLines(report)]) process.stderr.write(`${line}\n`);
      if (report.interrupted && report.rows.length === 0) process.stderr.write('interrupted (SIGINT): nothing measured\n');
      if (report.cleanup === null)
        process.stderr.write(
          `the bench keys (${prefix}0... and ${fenceKeyName(prefix)}) stay in the cluster; --cleanup deletes them when done\n`,
        );
    }
    if (report.interrupted) this.exit(EXIT_INTERRUPTED);
    if (report.rows.some((row) => row.errors > 0)) this.exit(EXIT_FAILURE);
  }

  /** Preloads when a workload reads, then runs the workloads one after another; stops early on `signal`. */
  private async measure(
    clients: readonly Brainer[],
    options: BenchSettings,
    keyName: (index: number) => string,
    signal: AbortSignal,
    json: boolean,
    cleanup: boolean,
  ): Promise<BenchReport> {
    // Progress goes to stderr, and not with --json: stdout holds the results.
    const status = (line: string): void => {
      if (!json) process.stderr.write(`${line}\n`);
    };
    const value = Buffer.alloc(options.valueBytes, 'v');
    let preload: BenchReport['preload'] = null;
    if (options.preload) {
      const bar = !json && process.stderr.isTTY === true;
      if (!bar) status(`preloading ${options.keys} keys of ${options.valueBytes} B`);
      const startedAt = performance.now();
      const keys = await preloadKeys(clients, {
        keys: options.keys,
        keyName,
        value,
        fenceKey: fenceKeyName(options.keyPrefix),
        signal,
        bar,
      }).catch((err: unknown) => {
        throw errorInContext(err, (reason) => `preloading the keys failed: ${reason}`, 'ERR_INTERNAL');
      });
      preload = { keys, seconds: Math.round(performance.now() - startedAt) / 1000 };
      status(`preloaded ${keys} keys in ${preload.seconds} s`);
    }
    const rows: BenchRow[] = [];
    const checkRouting = options.reads === 'direct' && options.workloads.some(workloadReads);
    const routedBefore = checkRouting ? await readsRouted(clients[0]!) : undefined;
    for (const [index, workload] of options.workloads.entries()) {
      if (signal.aborted) break;
      status(
        `running ${workload}: ${options.connections} connection(s) × ${options.inFlight} in flight, ${options.durationSeconds} s after a ${options.warmupSeconds} s warmup`,
      );
      const firstErrors = new FirstErrors();
      const tally: ReadTally = { reads: 0, misses: 0 };
      const seed = options.seed + index;
      const op = workloadOp(workload, { clients, inFlight: options.inFlight, keys: options.keys, keyName, value, seed, tally });
      const summary = await runClosedLoop(options.connections * options.inFlight, op, {
        durationMs: Math.round(options.durationSeconds * 1000),
        warmupMs: Math.round(options.warmupSeconds * 1000),
        signal,
        onError: (error) => firstErrors.add(error),
      });
      // A run stopped in its warmup measured nothing.
      if (summary.seconds > 0)
        rows.push({
          workload,
          connections: options.connections,
          inFlight: options.inFlight,
          ...summary,
          firstErrors: firstErrors.list(),
          ...tally,
        });
    }
    // Not after Ctrl-C, which should stop at once, even with the broker gone.
    const routedAfter = routedBefore === undefined || signal.aborted ? undefined : await readsRouted(clients[0]!);
    // A broker that restarted during the run counts from 0 again: its figure says nothing then.
    const readsViaBroker =
      routedBefore === undefined || routedAfter === undefined || routedAfter < routedBefore ? null : routedAfter - routedBefore;
    let cleaned: BenchReport['cleanup'] = null;
    // Not after Ctrl-C either: the keys then stay, and the line on stderr says so.
    if (cleanup && !signal.aborted) {
      status(`deleting the bench keys`);
      const startedAt = performance.now();
      const deleted = await deleteBenchKeys(clients, { keys: options.keys, keyName, fenceKey: fenceKeyName(options.keyPrefix) }).catch(
        (err: unknown) => {
          throw errorInContext(err, (reason) => `deleting the bench keys failed: ${reason}`, 'ERR_INTERNAL');
        },
      );
      cleaned = { deleted, seconds: Math.round(performance.now() - startedAt) / 1000 };
      status(`deleted ${deleted} bench keys in ${cleaned.seconds} s`);
    }
    return { options, preload, rows, interrupted: signal.aborted, readsViaBroker, cleanup: cleaned };
  }
}

/** The broker's count of the reads it has routed to nodes; undefined when it cannot be had. */
async function readsRouted(client: Brainer): Promise<number | undefined> {
  const routed = await client.stats().then(
    (stats) => stats.readsRouted,
    () => undefined,
  );
  return typeof routed === 'number' ? routed : undefined;
}
