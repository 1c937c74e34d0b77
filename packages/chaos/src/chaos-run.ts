import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Brainer, type VerifyResult } from '@brainer/client';
import { waitFor } from '@brainer/test-utils';
import { ChaosCluster, type BrokerStanding, type UnexpectedExit } from './chaos-cluster.js';
import {
  defaultFaultKinds,
  FAULT_KINDS,
  FaultInjector,
  PINNED_PROCESS,
  refusedFaultKinds,
  type Fault,
  type FaultKind,
} from './fault-injector.js';
import { checkHistory, type CheckResult } from './history-checker.js';
import { FINAL_PROCESS, History, type Operation } from './history.js';
import { CENSUS_PROCESS_PREFIX, censusProcess, checkLiveKeys, type LiveKeysResult } from './live-keys.js';
import { Prng } from './prng.js';
import { longestWriteGaps, recoveryTimes } from './recovery.js';
import { Workload } from './workload.js';

export interface ChaosOptions {
  /** How long faults are injected, in ms (each kind is injected once even past it). */
  durationMs: number;
  /** Writer processes. */
  writers: number;
  /** Reader processes. */
  readers: number;
  /** Processes that read straight from a node's endpoint (lease-guarded reads). Default 1. */
  directReaders?: number;
  /** Whether direct readers ask the key's primary, as a client should, or any ready node. Default `primary`. */
  directMode?: 'primary' | 'any';
  /** Seed of every random choice: keys, values, the fault schedule. */
  seed: number;
  /** Keys the writers and readers share. Default 200. */
  keys?: number;
  /**
   * Keys written once before the faults start and read back at the end, so that every join
   * streams a snapshot of some size and a source can be killed mid-stream. Default 20,000.
   */
  fillerKeys?: number;
  /** run-node's --snapshot-chunk-entries: small chunks make joins last long enough to be hit. Default 100. */
  snapshotChunkEntries?: number;
  /** run-node's --snapshot-credit. Default 2. */
  snapshotCredit?: number;
  /**
   * The fault kinds to draw from. Default: every kind the cluster can be given (`defaultFaultKinds`):
   * with `persist` the ones about data directories too, with several brokers leader-kill,
   * leader-pause and etcd-member-kill in place of broker-kill and broker-pause.
   */
  faultKinds?: readonly FaultKind[];
  /**
   * Brokers. 1 (default): one broker alone, no etcd, as always. 2 or more: they campaign on an etcd
   * cluster of `etcdMembers` started for the run, and nodes and every client are given them all.
   */
  brokers?: number;
  /** With several brokers: etcd members. Default 3. */
  etcdMembers?: number;
  /** With several brokers: the leader's etcd lease TTL (`run-broker --lease-ttl`), in s. Default 2. */
  leaseTtlS?: number;
  /**
   * The nodes keep their data in data directories (`run-node --data-dir`, in a temporary directory
   * removed afterwards), so that a killed node comes back with it, and the whole cluster can be
   * killed at once (`cluster-kill`). Default false.
   */
  persist?: boolean;
  /** Pause before each fault, in ms. Default [500, 2000]. */
  gapMs?: readonly [number, number];
  /** How long a SIGSTOP lasts, in ms. Default [800, 4000]. */
  pauseMs?: readonly [number, number];
  /** Pause after every successful call of a writer or reader, in ms. Default 0. */
  thinkMs?: number;
  /** Per-call timeout of the clients, in ms. Default 5000. */
  timeoutMs?: number;
  /** How long the cluster may take to be whole again, before and after faults, in ms. Default 60,000. */
  settleTimeoutMs?: number;
  /**
   * After each fault, once the cluster has recovered, read every key written so far (a census) for
   * the live-key check. Default true.
   */
  census?: boolean;
  /** The PATH that clock-skew looks for faketime on. Default: none, so clock-skew is skipped. */
  path?: string;
  /** big-values: values at the value limit sent in one tick. Default 8. */
  bigValues?: number;
  /** Progress lines. Default: nowhere. */
  log?: (line: string) => void;
}

/** The leader check: at the end, every live broker is asked its role, and exactly one must lead. */
export interface LeaderCheck {
  ok: boolean;
  /** Brokers that said they lead. */
  count: number;
  /** What each broker said. */
  brokers: BrokerStanding[];
}

export interface ChaosResult {
  seed: number;
  /** Whether the nodes kept their data in data directories. */
  persist: boolean;
  /** Brokers (1: alone, no etcd; more: elected on etcd). */
  brokers: number;
  /** etcd members, with several brokers (0 with one). */
  etcdMembers: number;
  /** Wall time of the whole run, in ms. */
  elapsedMs: number;
  /** Time faults were injected for, in ms. */
  faultPhaseMs: number;
  writers: number;
  readers: number;
  keys: number;
  fillerKeys: number;
  operations: Record<string, Record<string, number>>;
  faults: Fault[];
  faultsByKind: Record<FaultKind, number>;
  skipped: { kind: FaultKind; reason: string }[];
  check: CheckResult;
  /** The live-key check: after each fault, every key certainly live was found. */
  liveKeys: LiveKeysResult;
  verify: VerifyResult | { ok: false; error: string };
  /** Exactly one broker leads at the end. */
  leaders: LeaderCheck;
  /**
   * Reads the nodes alive at the end say they served while not ready (their `readsWhileNotReady`
   * counter; must be 0). Counters of killed nodes are lost with them.
   */
  readsWhileNotReady: number;
  unexpectedExits: UnexpectedExit[];
  /** Lines the broker and nodes logged at error level (a handler that threw, say). */
  errorLogLines: string[];
  /** Error lines of the nodes a fault meant to trouble (a full disk, a damaged log): reported, not failures. */
  expectedErrorLogLines: string[];
  /** The cluster or a node not ready in time: availability failures. */
  problems: string[];
  /** The history, for a report when something failed. */
  history: Operation[];
  /**
   * No violation of the history rules or the live-key check, crash, error log line, verify failure,
   * leader check failure or availability problem.
   */
  ok: boolean;
}

/**
 * One chaos run: a broker (or several, elected on etcd) and three nodes, writers and readers
 * logging every call, faults on a seeded schedule, then a settle, final reads of every key,
 * `verify`, the leader check and the history check.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const now = (): number => performance.now();
  const prng = new Prng(options.seed);
  const history = new History(now);
  const keyCount = options.keys ?? 200;
  const fillerCount = options.fillerKeys ?? 20_000;
  const settleTimeoutMs = options.settleTimeoutMs ?? 60_000;
  const problems: string[] = [];

  const brokers = options.brokers ?? 1;
  const elected = brokers > 1;
  const etcdMembers = elected ? (options.etcdMembers ?? 3) : 0;
  const mode = { persist: options.persist ?? false, elected };
  const kinds = options.faultKinds ?? defaultFaultKinds(mode);
  const refused = refusedFaultKinds(kinds, mode);
  if (refused !== undefined) throw new Error(refused);
  const dataDir = options.persist ? await mkdtemp(join(tmpdir(), 'brainer-chaos-')) : undefined;
  const processes = elected ? `etcd (${etcdMembers} members), ${brokers} brokers elected on it` : 'a broker';
  log(`starting ${processes} and 3 nodes${dataDir === undefined ? '' : ` keeping their data in ${dataDir}`} (seed ${options.seed})`);
  const cluster = await ChaosCluster.start({
    brokers,
    ...(elected ? { etcdMembers, leaseTtlS: options.leaseTtlS ?? 2 } : {}),
    nodeArgs: [
      '--snapshot-chunk-entries',
      String(options.snapshotChunkEntries ?? 100),
      '--snapshot-credit',
      String(options.snapshotCredit ?? 2),
    ],
    readyTimeoutMs: settleTimeoutMs,
    ...(dataDir === undefined ? {} : { dataDir }),
  }).catch(async (error: unknown) => {
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const keys = Array.from({ length: keyCount }, (_, i) => `key:${i}`);
    log(`loading ${fillerCount} filler keys`);
    await loadFiller(cluster.endpoint, history, fillerCount);

    const workload = new Workload(
      {
        endpoint: cluster.endpoint,
        keys,
        writers: options.writers,
        readers: options.readers,
        thinkMs: options.thinkMs,
        timeoutMs: options.timeoutMs,
        directReaders: options.directReaders ?? 1,
        directMode: options.directMode ?? 'primary',
      },
      history,
      prng.fork('workload'),
    );
    await workload.start();
    const faultStart = now();
    const injector = new FaultInjector(cluster, prng.fork('faults'), now, {
      until: faultStart + options.durationMs,
      kinds,
      history,
      ...(options.leaseTtlS === undefined ? {} : { leaseTtlS: options.leaseTtlS }),
      gapMs: options.gapMs,
      pauseMs: options.pauseMs,
      readyTimeoutMs: settleTimeoutMs,
      log,
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.bigValues === undefined ? {} : { bigValues: options.bigValues }),
      ...(options.census === false
        ? {}
        : {
            afterFault: async (fault: Fault, index: number) => {
              // Once writes are served again after the fault, every key written so far is read.
              await waitFor(() => recoveryTimes([fault.at], history.operations)[0] !== null, {
                timeoutMs: settleTimeoutMs,
                intervalMs: 50,
                description: `a write served after fault ${index} (${fault.kind})`,
              }).catch((error: unknown) => problems.push(`census after ${fault.kind}: ${(error as Error).message}`));
              const keys = writtenKeys(history.operations);
              const from = history.length;
              await readBack(cluster.endpoint, history, censusProcess(index), keys, CENSUS_TIMEOUT_MS);
              const failed = failureCodes(history.operations.slice(from));
              log(
                `census after ${fault.kind}: ${keys.length} keys read${failed === '' ? '' : `; reads that failed and were tried again: ${failed}`}`,
              );
            },
          }),
    });
    log(
      `${options.writers} writers and ${options.readers} readers on ${keyCount} keys; injecting faults for ${Math.round(options.durationMs / 1000)} s`,
    );
    try {
      await injector.run();
    } catch (error) {
      problems.push(`the fault schedule stopped: ${String((error as Error).stack ?? error)}`);
    }
    const faultPhaseEnd = now();
    log('faults over; letting the cluster settle');
    await injector.settle();
    // The workload runs on until the last fault has a recovery time: a write served after it.
    const lastFault = injector.faults.at(-1)?.at;
    if (lastFault !== undefined) {
      await waitFor(() => recoveryTimes([lastFault], history.operations)[0] !== null, {
        timeoutMs: settleTimeoutMs,
        intervalMs: 50,
        description: 'a write served after the last fault',
      }).catch((error: unknown) => problems.push(`after the last fault: ${(error as Error).message}`));
    }
    await workload.stop();
    const workloadEnd = now();
    problems.push(...injector.problems);
    try {
      await cluster.waitForReady(cluster.nodeIds.length, settleTimeoutMs);
    } catch (error) {
      problems.push(`after the run: ${(error as Error).message}`);
    }
    log('reading every key back');
    await readBack(cluster.endpoint, history, FINAL_PROCESS, writtenKeys(history.operations), settleTimeoutMs);
    const verify = await verifyCluster(cluster.endpoint);
    const leaders = await checkLeaders(cluster);
    log(`leaders at the end: ${leaders.count} (${leaders.brokers.map((b) => `${b.broker} ${b.role}`).join(', ')})`);
    cluster.etcdMembers.forEach((member, i) => member.running || problems.push(`etcd member ${i + 1} is not running at the end`));
    let readsWhileNotReady = 0;
    for (const [id, stats] of await cluster.nodeStats()) {
      const served = stats.readsWhileNotReady;
      if (typeof served === 'number' && served > 0) {
        readsWhileNotReady += served;
        problems.push(`${id} served ${served} reads while not ready`);
      }
    }
    const check = checkHistory(history.operations);
    const liveKeys = checkLiveKeys(history.operations, injector.faults);
    const recovery = recoveryTimes(
      injector.faults.map((fault) => fault.at),
      history.operations,
    );
    injector.faults.forEach((fault, i) => (fault.recoveryMs = recovery[i] === null ? null : Math.round(recovery[i]!)));
    // An etcd member's loss may stop writes only once a lease runs out, well after the kill.
    injector.faults.forEach((fault, i) => {
      if (fault.kind !== 'etcd-member-kill') return;
      const [gap] = longestWriteGaps([[fault.at, injector.faults[i + 1]?.at ?? workloadEnd]], history.operations);
      fault.writeGapMs = Math.round(gap!);
    });
    const faultsByKind = Object.fromEntries(
      FAULT_KINDS.map((kind) => [kind, injector.faults.filter((f) => f.kind === kind).length]),
    ) as Record<FaultKind, number>;
    const unexpectedExits = [...cluster.unexpectedExits];
    const errorLogLines = cluster.errorLogLines();
    const expectedErrorLogLines = cluster.errorLogLines(true);
    return {
      seed: options.seed,
      persist: options.persist ?? false,
      brokers,
      etcdMembers,
      elapsedMs: Math.round(now() - started),
      faultPhaseMs: Math.round(faultPhaseEnd - faultStart),
      writers: options.writers,
      readers: options.readers,
      keys: keyCount,
      fillerKeys: fillerCount,
      operations: countOperations(history.operations),
      faults: injector.faults,
      faultsByKind,
      skipped: injector.skipped,
      check,
      liveKeys,
      verify,
      leaders,
      readsWhileNotReady,
      unexpectedExits,
      errorLogLines,
      expectedErrorLogLines,
      problems,
      history: history.operations,
      ok:
        check.ok &&
        liveKeys.ok &&
        verify.ok &&
        leaders.ok &&
        unexpectedExits.length === 0 &&
        errorLogLines.length === 0 &&
        problems.length === 0,
    };
  } finally {
    await cluster.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  }
}

/** Writes the filler keys once, many at a time, logging each call as process `loader`. */
async function loadFiller(endpoint: string, history: History, count: number): Promise<void> {
  if (count === 0) return;
  const client = new Brainer(endpoint, { timeoutMs: 30_000 });
  try {
    await client.connect();
    let next = 0;
    await Promise.all(
      Array.from({ length: 256 }, async () => {
        while (next < count) {
          const i = next++;
          const key = `fill:${i}`;
          const value = `loader:${i}`;
          await history.set('loader', () => client.set(key, value), key, value);
        }
      }),
    );
  } finally {
    await client.close();
  }
}

/** How long a census may retry the keys it could not read, in ms. */
const CENSUS_TIMEOUT_MS = 10_000;

/** Every key the history has written to. */
function writtenKeys(operations: readonly Operation[]): string[] {
  return [...new Set(operations.filter((op) => op.op !== 'get').map((op) => op.key))];
}

/** Reads `keys` back as `process`, retrying each that fails until it answers or `timeoutMs` has passed. */
async function readBack(endpoint: string, history: History, process: string, keys: readonly string[], timeoutMs: number): Promise<void> {
  const client = new Brainer(endpoint, { timeoutMs: 5000 });
  const deadline = performance.now() + timeoutMs;
  try {
    let pending = keys;
    while (pending.length > 0 && performance.now() < deadline) {
      const failed: string[] = [];
      for (let i = 0; i < pending.length; i += 1000) {
        const batch = pending.slice(i, i + 1000);
        const results = await Promise.all(batch.map((key) => history.get(process, () => client.get(key), key)));
        results.forEach((op) => op.outcome !== 'ok' && failed.push(op.key));
      }
      pending = failed;
    }
  } finally {
    await client.close();
  }
}

/** `verify` through a fresh client; an error counts as a failure. */
async function verifyCluster(endpoint: string): Promise<VerifyResult | { ok: false; error: string }> {
  const client = new Brainer(endpoint, { timeoutMs: 5000 });
  try {
    return await client.verify(100, 100);
  } catch (error) {
    return { ok: false, error: String(error) };
  } finally {
    await client.close();
  }
}

/** The failed calls among `operations`, counted by error code, as `12 ERR_TIMEOUT, 3 ERR_NOT_READY`; empty when none failed. */
function failureCodes(operations: readonly Operation[]): string {
  const counts = new Map<string, number>();
  for (const op of operations) if (op.outcome !== 'ok') counts.set(op.error ?? op.outcome, (counts.get(op.error ?? op.outcome) ?? 0) + 1);
  return [...counts].map(([code, n]) => `${n} ${code}`).join(', ');
}

/** Asks every live broker its role (its own `stats`); exactly one must say it leads. */
async function checkLeaders(cluster: ChaosCluster): Promise<LeaderCheck> {
  // The workload is over: a broker has seconds to answer, so that a slow one is not taken for a missing leader.
  const brokers = await cluster.brokerStandings(5000);
  const count = brokers.filter((broker) => broker.role === 'leader').length;
  return { ok: count === 1, count, brokers };
}

/**
 * Counts by op then outcome; the probe's, the loader's, the writes sent to a stopped leader alone,
 * the census and final reads and the direct reads apart.
 */
function countOperations(operations: readonly Operation[]): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const op of operations) {
    const group = ['probe', FINAL_PROCESS, 'loader', PINNED_PROCESS].includes(op.process)
      ? op.process
      : op.process.startsWith(CENSUS_PROCESS_PREFIX)
        ? 'census'
        : /^d\d+$/.test(op.process)
          ? 'direct get'
          : op.op;
    const bucket = (counts[group] ??= {});
    bucket[op.outcome] = (bucket[op.outcome] ?? 0) + 1;
  }
  return counts;
}
