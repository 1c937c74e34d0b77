import type { ChaosResult, LeaderCheck } from './chaos-run.js';
import { FAULT_KINDS, type Fault, type FaultKind } from './fault-injector.js';
import type { Violation } from './history-checker.js';
import type { Census } from './live-keys.js';
import type { Operation } from './history.js';
import { spread, type Spread } from './recovery.js';

/** Violations kept in a summary, per kind. */
const VIOLATIONS_SHOWN = 10;

/** What a chaos run prints and saves: the figures, without the full history. */
export interface ChaosSummary {
  ok: boolean;
  seed: number;
  /** Whether the nodes kept their data in data directories. */
  persist: boolean;
  /** Brokers (1: alone; more: elected on etcd) and etcd members (0 with one broker). */
  brokers: number;
  etcdMembers: number;
  elapsedMs: number;
  faultPhaseMs: number;
  writers: number;
  readers: number;
  keys: number;
  fillerKeys: number;
  operations: { total: number; byGroup: Record<string, Record<string, number>> };
  faults: {
    byKind: Record<FaultKind, number>;
    sourceKillsMidJoin: number;
    sourceKillsThatRestartedAJoin: number;
    skipped: { kind: FaultKind; reason: string }[];
    list: Fault[];
  };
  /** From each fault to the first write invoked after it completing, in ms, per kind. */
  recoveryMs: Partial<Record<FaultKind, Spread>>;
  /** From each restart or SIGCONT to the node being ready again, in ms, per kind. */
  rejoinMs: Partial<Record<FaultKind, Spread>>;
  /** From a broker's kill -9 to its successor's ready line, in ms. */
  brokerRestartMs?: Spread;
  /** leader-kill and leader-pause: from the kill -9 or SIGSTOP to another broker saying it leads, in ms. */
  takeoverMs: Partial<Record<FaultKind, Spread>>;
  /** leader-pause: from the SIGCONT to the woken broker saying it stands by, in ms. */
  steppedDownMs?: Spread;
  /** leader-pause: the writes sent to the stopped leader alone, by outcome (`ok` must be absent). */
  pinnedWrites: Record<string, number>;
  /**
   * etcd-member-kill: how many hit etcd's raft leader; after how many the leadership changed
   * (another broker, or the same in a new term: there should be none); the longest stop of writes
   * after each, in ms.
   */
  etcdMemberKills: { raftLeader: number; leaderChanges: number; writeGapMs?: Spread };
  /** Exactly one broker leads at the end. */
  leaders: LeaderCheck;
  acknowledgedWritesLost: number;
  staleReads: number;
  phantomReads: number;
  /** Reads that saw a value, then another, then the first again (rule (e) of the checker). */
  nonMonotonicReads: number;
  missingFinalReads: number;
  /** The live-key check: the censuses taken after faults, those that found keys dropped, and every census's counts. */
  liveKeys: { ok: boolean; censuses: number; drops: Census[]; counts: { after: string; expected: number; held: number }[] };
  verify: { ok: boolean; nodes?: number; digest?: string; error?: string; differing?: unknown[] };
  /** Reads the live nodes served while not ready, by their own count (must be 0). */
  readsWhileNotReady: number;
  crashes: ChaosResult['unexpectedExits'];
  errorLogLines: string[];
  /** Error lines of nodes a fault meant to trouble (a full disk, a damaged log): not failures. */
  expectedErrorLogLines: string[];
  problems: string[];
  violations: Violation[];
}

export function summarize(result: ChaosResult): ChaosSummary {
  const { check } = result;
  const byKind = (kind: FaultKind): Fault[] => result.faults.filter((fault) => fault.kind === kind);
  const recoveryMs: Partial<Record<FaultKind, Spread>> = {};
  const rejoinMs: Partial<Record<FaultKind, Spread>> = {};
  for (const kind of FAULT_KINDS) {
    const recovery = spread(byKind(kind).map((fault) => fault.recoveryMs));
    if (recovery) recoveryMs[kind] = recovery;
    const rejoin = spread(byKind(kind).flatMap((fault) => Object.values(fault.rejoinMs ?? {})));
    if (rejoin) rejoinMs[kind] = rejoin;
  }
  const verify = result.verify;
  const brokerRestartMs = spread(byKind('broker-kill').map((fault) => fault.brokerRestartMs));
  const takeoverMs: Partial<Record<FaultKind, Spread>> = {};
  for (const kind of ['leader-kill', 'leader-pause'] as const) {
    const takeover = spread(byKind(kind).map((fault) => fault.takeoverMs));
    if (takeover) takeoverMs[kind] = takeover;
  }
  const steppedDownMs = spread(byKind('leader-pause').map((fault) => fault.steppedDownMs));
  const pinnedWrites: Record<string, number> = {};
  for (const fault of byKind('leader-pause')) {
    for (const [outcome, n] of Object.entries(fault.pinnedWrites ?? {})) pinnedWrites[outcome] = (pinnedWrites[outcome] ?? 0) + n;
  }
  const etcdKills = byKind('etcd-member-kill');
  const summary: ChaosSummary = {
    ok: result.ok,
    seed: result.seed,
    persist: result.persist,
    brokers: result.brokers,
    etcdMembers: result.etcdMembers,
    elapsedMs: result.elapsedMs,
    faultPhaseMs: result.faultPhaseMs,
    writers: result.writers,
    readers: result.readers,
    keys: result.keys,
    fillerKeys: result.fillerKeys,
    operations: { total: result.history.length, byGroup: result.operations },
    faults: {
      byKind: result.faultsByKind,
      sourceKillsMidJoin: byKind('source-kill').filter((fault) => fault.midJoin).length,
      sourceKillsThatRestartedAJoin: byKind('source-kill').filter((fault) => fault.joinRestarted).length,
      skipped: result.skipped,
      list: result.faults,
    },
    recoveryMs,
    rejoinMs,
    takeoverMs,
    pinnedWrites,
    etcdMemberKills: {
      raftLeader: etcdKills.filter((fault) => fault.etcdRaftLeader).length,
      leaderChanges: etcdKills.filter((fault) => fault.leaderChanged).length,
      ...optional('writeGapMs', spread(etcdKills.map((fault) => fault.writeGapMs))),
    },
    leaders: result.leaders,
    acknowledgedWritesLost: check.lostWrites.length,
    staleReads: check.staleReads.length,
    phantomReads: check.phantomReads.length,
    nonMonotonicReads: check.nonMonotonicReads.length,
    missingFinalReads: check.missingFinalReads.length,
    liveKeys: {
      ok: result.liveKeys.ok,
      censuses: result.liveKeys.censuses.length,
      drops: result.liveKeys.drops,
      counts: result.liveKeys.censuses.map(({ after, expected, held }) => ({ after, expected, held })),
    },
    verify:
      'error' in verify
        ? { ok: false, error: verify.error }
        : { ok: verify.ok, nodes: verify.nodes.length, digest: verify.digest, differing: verify.differing },
    readsWhileNotReady: result.readsWhileNotReady,
    crashes: result.unexpectedExits,
    errorLogLines: result.errorLogLines.slice(0, 50),
    expectedErrorLogLines: result.expectedErrorLogLines.slice(0, 50),
    problems: result.problems,
    violations: [
      ...check.lostWrites.slice(0, VIOLATIONS_SHOWN),
      ...check.staleReads.slice(0, VIOLATIONS_SHOWN),
      ...check.phantomReads.slice(0, VIOLATIONS_SHOWN),
      ...check.nonMonotonicReads.slice(0, VIOLATIONS_SHOWN),
      ...check.missingFinalReads.slice(0, VIOLATIONS_SHOWN),
    ],
  };
  if (brokerRestartMs) summary.brokerRestartMs = brokerRestartMs;
  if (steppedDownMs) summary.steppedDownMs = steppedDownMs;
  return summary;
}

/** `{ [name]: value }`, or nothing when value is undefined (for optional fields under exactOptionalPropertyTypes). */
function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}

/** The summary as text for a terminal. */
export function formatSummary(summary: ChaosSummary): string {
  const lines: string[] = [];
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const ms = (s: Spread): string =>
    s.count === 1
      ? `${Math.round(s.min)} ms`
      : `min ${Math.round(s.min)} / p50 ${Math.round(s.p50)} / max ${Math.round(s.max)} ms (${s.count})`;
  const elected = summary.brokers > 1 ? `, ${summary.brokers} brokers elected on ${summary.etcdMembers} etcd members` : '';
  lines.push(
    `chaos run, seed ${summary.seed}${summary.persist ? ', nodes with data directories' : ''}${elected}: ${seconds(summary.faultPhaseMs)} of faults, ${summary.writers} writers, ${summary.readers} readers, ` +
      `${summary.keys} keys (+${summary.fillerKeys} filler), ${seconds(summary.elapsedMs)} in all`,
  );
  const groups = Object.entries(summary.operations.byGroup)
    .map(
      ([group, outcomes]) =>
        `${group} ${Object.entries(outcomes)
          .map(([outcome, n]) => `${n} ${outcome}`)
          .join(', ')}`,
    )
    .join('; ');
  lines.push(`operations: ${summary.operations.total} (${groups})`);
  lines.push(
    `faults: ${summary.faults.list.length}; source kills mid-join ${summary.faults.sourceKillsMidJoin}, ` +
      `that made the broker restart the join ${summary.faults.sourceKillsThatRestartedAJoin}`,
  );
  lines.push(`  ${'kind'.padEnd(16)} ${'count'.padStart(5)}  recovery (writes served again)    node ready again`);
  for (const kind of FAULT_KINDS) {
    const injected = summary.faults.byKind[kind];
    const skipped = summary.faults.skipped.filter((s) => s.kind === kind);
    if (injected === 0 && skipped.length === 0) continue;
    const recovery = summary.recoveryMs[kind];
    const rejoin = summary.rejoinMs[kind];
    lines.push(
      `  ${kind.padEnd(16)} ${String(injected).padStart(5)}  ${(recovery ? ms(recovery) : 'n/a').padEnd(32)} ${rejoin ? ms(rejoin) : 'n/a'}`,
    );
    for (const reason of new Set(skipped.map((s) => s.reason))) lines.push(`  ${''.padEnd(16)} skipped: ${reason}`);
  }
  if (summary.brokerRestartMs) lines.push(`  broker kill -9 to new broker listening: ${ms(summary.brokerRestartMs)}`);
  for (const [kind, takeover] of Object.entries(summary.takeoverMs)) {
    lines.push(`  ${kind}: another broker leading after ${ms(takeover)}`);
  }
  if (summary.steppedDownMs) lines.push(`  leader-pause: the woken broker standing by after ${ms(summary.steppedDownMs)} from its SIGCONT`);
  if (summary.faults.byKind['leader-pause'] > 0) {
    lines.push(
      `  leader-pause: writes sent once to the stopped leader alone: ${JSON.stringify(summary.pinnedWrites)} (none may be ok; ERR_TIMEOUT: left unanswered)`,
    );
  }
  if (summary.faults.byKind['etcd-member-kill'] > 0) {
    const { raftLeader, leaderChanges, writeGapMs } = summary.etcdMemberKills;
    lines.push(
      `  etcd-member-kill: ${raftLeader} of etcd's raft leader; the leadership changed (another broker or a new term) after ${leaderChanges}` +
        `${leaderChanges > 0 ? ' (WARNING: expected none)' : ''}; longest stop of writes after each: ${writeGapMs ? ms(writeGapMs) : 'n/a'}`,
    );
  }
  for (const fault of summary.faults.list.filter((f) => f.gatewayAbuse !== undefined)) {
    const abuse = fault.gatewayAbuse!;
    lines.push(
      `  gateway abuse: ${abuse.burstMs} ms, answers ${JSON.stringify(abuse.answers)}, ${abuse.idleClosedByServer}/${abuse.idleConnections} idle connections closed, nodes lost ${fault.nodesLost ?? 0}`,
    );
  }
  lines.push(`acknowledged writes lost: ${summary.acknowledgedWritesLost}`);
  lines.push(`stale reads: ${summary.staleReads}`);
  lines.push(`phantom reads: ${summary.phantomReads}`);
  lines.push(`non-monotonic reads (a value seen, replaced, seen again): ${summary.nonMonotonicReads}`);
  if (summary.missingFinalReads > 0) lines.push(`keys not readable after the run: ${summary.missingFinalReads}`);
  const live = summary.liveKeys;
  lines.push(
    `live keys after each fault: ${live.censuses} censuses, ${live.drops.length} with acknowledged keys dropped` +
      (live.counts.length > 0 ? ` (held/expected: ${live.counts.map((c) => `${c.held}/${c.expected}`).join(' ')})` : ''),
  );
  for (const drop of live.drops) {
    lines.push(
      `  DROP after fault ${drop.fault} (${drop.after}): ${drop.dropped} acknowledged keys gone (${drop.expected - drop.held} of ${drop.expected} missing), such as ${drop.missing.slice(0, 5).join(', ')}`,
    );
  }
  const verify = summary.verify;
  lines.push(
    `verify: ${verify.ok ? 'ok' : 'FAILED'}` +
      (verify.error ? ` (${verify.error})` : ` (${verify.nodes ?? 0} ready nodes, digest ${verify.digest ?? '?'})`),
  );
  lines.push(`reads served by a node that was not ready (live nodes' own count): ${summary.readsWhileNotReady}`);
  lines.push(
    `leaders at the end: ${summary.leaders.count}${summary.leaders.ok ? '' : ' (VIOLATION: exactly 1 must lead)'} (${summary.leaders.brokers
      .map((b) => `${b.broker} ${b.role}`)
      .join(', ')})`,
  );
  lines.push(
    `crashes: ${summary.crashes.length === 0 ? 'none' : summary.crashes.map((c) => `${c.id} pid ${c.pid} ${c.exit.signal ?? `code ${c.exit.code}`}`).join(', ')}`,
  );
  lines.push(`error log lines: ${summary.errorLogLines.length}`);
  for (const line of summary.errorLogLines.slice(0, 10)) lines.push(`  ${line}`);
  if (summary.expectedErrorLogLines.length > 0) {
    lines.push(`error log lines of nodes a fault meant to trouble (not failures): ${summary.expectedErrorLogLines.length}`);
    for (const line of summary.expectedErrorLogLines.slice(0, 5)) lines.push(`  ${line}`);
  }
  for (const problem of summary.problems) lines.push(`problem: ${problem}`);
  for (const violation of summary.violations) lines.push('', ...formatViolation(violation));
  for (const crash of summary.crashes) lines.push('', `crash of ${crash.id} (pid ${crash.pid}); its last log lines:`, crash.stderrTail);
  lines.push('', summary.ok ? 'PASS' : 'FAIL');
  return lines.join('\n');
}

/** One violation with its history excerpt. */
export function formatViolation(violation: Violation): string[] {
  const lines = [`${violation.kind.toUpperCase()} on ${violation.key}: ${violation.explanation}`];
  if (violation.read) lines.push(`  read:    ${formatOperation(violation.read)}`);
  for (const source of violation.sources) lines.push(`  source:  ${formatOperation(source)}`);
  if (violation.witness) lines.push(`  witness: ${formatOperation(violation.witness)}`);
  lines.push('  history of the key around it:');
  for (const op of violation.excerpt) lines.push(`    ${formatOperation(op)}`);
  return lines;
}

export function formatOperation(op: Operation): string {
  const what = op.op === 'set' ? `set ${op.key}=${op.value}` : `${op.op} ${op.key}`;
  const result =
    op.outcome !== 'ok'
      ? ` ${op.outcome}${op.error ? ` (${op.error})` : ''}`
      : op.op === 'get'
        ? ` -> ${JSON.stringify(op.result)}`
        : ' ok';
  return `[${op.invokedAt.toFixed(1)} .. ${op.completedAt.toFixed(1)}] ${op.process.padEnd(6)} ${what}${result}`;
}
