/**
 * npm run chaos -- --duration 60 --writers 8 [--readers 4] [--direct-readers 1] [--direct-any] [--seed N] [--keys 200] [--filler-keys 20000] [--think-ms 0]
 *                  [--faults node-kill,source-kill,broker-kill,node-pause,source-pause,broker-pause,big-values,clock-skew,gateway-abuse[,cluster-kill,disk-full,log-damage]]
 *                  [--gap-ms 500,2000] [--pause-ms 800,4000] [--timeout-ms 5000] [--persist] [--big-values 8] [--no-census]
 *                  [--brokers 1] [--etcd-members 3] [--lease-ttl 2]
 *
 * With --persist the nodes keep their data in data directories (a killed node comes back with it)
 * and the faults include cluster-kill (kill -9 of every process at once), disk-full and log-damage.
 * After each fault, once the cluster has recovered, every key written so far is read back (a census)
 * for the live-key check; --no-census turns that off.
 *
 * With --brokers 2 (or more) the brokers are elected on an etcd cluster of --etcd-members (3)
 * started for the run (/usr/bin/etcd), with a lease TTL of --lease-ttl s, and the nodes and every
 * client are given every broker. broker-kill and broker-pause then give way to leader-kill (kill -9
 * of the leading broker, started again afterwards as a standby), leader-pause (the leader SIGSTOPped
 * past its lease, then SIGCONT: it must step down and acknowledge nothing) and etcd-member-kill
 * (kill -9 of one etcd member, its raft leader half of the time, restarted a few seconds later).
 *
 * Starts a broker (or the brokers) and three nodes, runs writers and readers while faults are
 * injected, then checks the history. Prints a summary, saves it as JSON under bench/results, and
 * exits 1 on any violation (a lost write, a stale or phantom read, a drop of live keys, a crash, a
 * failed verify, other than exactly one broker leading at the end), 2 on a usage error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatSummary, summarize } from './chaos-report.js';
import { existsSync } from 'node:fs';
import { ETCD_BIN } from '@brainer/test-utils';
import {
  BIG_VALUES_BURST,
  defaultFaultKinds,
  ELECTED_FAULT_KINDS,
  FAULT_KINDS,
  PERSIST_FAULT_KINDS,
  SINGLE_BROKER_FAULT_KINDS,
  type FaultKind,
} from './fault-injector.js';
import { runChaos } from './chaos-run.js';
import { randomSeed } from './prng.js';
import { saveResults } from './results.js';
import { count } from './cli-args.js';

const USAGE = `usage: npm run chaos -- --duration S --writers N [--readers N] [--direct-readers N] [--direct-any] [--seed N]
       [--keys N] [--filler-keys N] [--think-ms N] [--faults ${FAULT_KINDS.join(',')}]
       [--gap-ms MIN,MAX] [--pause-ms MIN,MAX] [--timeout-ms N] [--persist] [--big-values N] [--no-census] [--quiet]
       [--brokers N] [--etcd-members N] [--lease-ttl S]
(docs/RELIABILITY.md describes each fault; --persist adds ${PERSIST_FAULT_KINDS.join(', ')};
 --brokers 2 elects the brokers on an etcd of --etcd-members (default 3) with a lease of --lease-ttl s (default 2),
 and puts ${ELECTED_FAULT_KINDS.join(', ')} in place of ${SINGLE_BROKER_FAULT_KINDS.join(', ')};
 the default --faults is every kind the cluster can be given)`;

const { values: args } = parseOptions({
  options: {
    duration: { type: 'string', default: '60' },
    writers: { type: 'string', default: '8' },
    readers: { type: 'string', default: '4' },
    'direct-readers': { type: 'string', default: '1' },
    'direct-any': { type: 'boolean', default: false },
    seed: { type: 'string' },
    keys: { type: 'string', default: '200' },
    'filler-keys': { type: 'string', default: '20000' },
    'think-ms': { type: 'string', default: '0' },
    faults: { type: 'string' },
    persist: { type: 'boolean', default: false },
    'gap-ms': { type: 'string', default: '500,2000' },
    'pause-ms': { type: 'string', default: '800,4000' },
    'timeout-ms': { type: 'string', default: '5000' },
    'big-values': { type: 'string', default: String(BIG_VALUES_BURST) },
    'no-census': { type: 'boolean', default: false },
    brokers: { type: 'string', default: '1' },
    'etcd-members': { type: 'string', default: '3' },
    'lease-ttl': { type: 'string', default: '2' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

/** The arguments, or the usage and exit 2 for an unknown option or a missing value. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function range(name: string, text: string): [number, number] {
  const [min, max] = text.split(',').map((part) => count(name, part));
  if (min === undefined || max === undefined || min > max) {
    console.error(`--${name} takes min,max in ms, got ${text}`);
    process.exit(2);
  }
  return [min, max];
}

const brokers = count('brokers', args.brokers, 1);
const elected = brokers > 1;
if (elected && !existsSync(ETCD_BIN)) {
  console.error(`--brokers ${brokers} needs etcd at ${ETCD_BIN} (apt-get install etcd-server)`);
  process.exit(2);
}
const faultsText = args.faults ?? defaultFaultKinds({ persist: args.persist, elected }).join(',');
const faultKinds = faultsText.split(',').filter((kind) => kind !== '');
const unknownKind = faultKinds.find((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
if (unknownKind !== undefined || faultKinds.length === 0) {
  console.error(`--faults takes a comma-separated list of ${FAULT_KINDS.join(', ')}; got ${faultsText}`);
  process.exit(2);
}
const needsPersist = faultKinds.filter((kind) => (PERSIST_FAULT_KINDS as readonly string[]).includes(kind));
if (needsPersist.length > 0 && !args.persist) {
  console.error(
    `--faults ${needsPersist.join(',')} needs --persist: those faults are about nodes that keep their data in data directories`,
  );
  process.exit(2);
}
const single = faultKinds.filter((kind) => (SINGLE_BROKER_FAULT_KINDS as readonly string[]).includes(kind));
if (elected && single.length > 0) {
  console.error(`--faults ${single.join(',')} is about one broker alone; with --brokers ${brokers}, use ${ELECTED_FAULT_KINDS.join(', ')}`);
  process.exit(2);
}
const needsElection = faultKinds.filter((kind) => (ELECTED_FAULT_KINDS as readonly string[]).includes(kind));
if (!elected && needsElection.length > 0) {
  console.error(`--faults ${needsElection.join(',')} needs --brokers 2: those faults are about brokers elected on etcd`);
  process.exit(2);
}

const seed = args.seed === undefined ? randomSeed() : count('seed', args.seed);
const started = new Date();
const result = await runChaos({
  durationMs: count('duration', args.duration, 1) * 1000,
  writers: count('writers', args.writers, 1),
  readers: count('readers', args.readers),
  directReaders: count('direct-readers', args['direct-readers']),
  directMode: args['direct-any'] ? 'any' : 'primary',
  seed,
  keys: count('keys', args.keys, 1),
  fillerKeys: count('filler-keys', args['filler-keys']),
  thinkMs: count('think-ms', args['think-ms']),
  faultKinds: faultKinds as FaultKind[],
  persist: args.persist,
  gapMs: range('gap-ms', args['gap-ms']),
  pauseMs: range('pause-ms', args['pause-ms']),
  timeoutMs: count('timeout-ms', args['timeout-ms'], 1),
  bigValues: count('big-values', args['big-values'], 1),
  census: !args['no-census'],
  brokers,
  etcdMembers: count('etcd-members', args['etcd-members'], 1),
  leaseTtlS: count('lease-ttl', args['lease-ttl'], 1),
  // clock-skew looks for faketime here.
  path: process.env.PATH ?? '',
  log: args.quiet ? undefined : (line) => console.log(`${((Date.now() - started.getTime()) / 1000).toFixed(1).padStart(6)} s  ${line}`),
});
const summary = summarize(result);
console.log('');
console.log(formatSummary(summary));
const file = await saveResults('chaos', summary);
console.log(`summary saved to ${file}`);
if (!result.ok) {
  const historyFile = await saveResults('chaos-history', { seed, operations: result.history });
  console.log(`history saved to ${historyFile}`);
}
process.exit(result.ok ? 0 : 1);
