import test, { type ExecutionContext } from 'ava';
import { ETCD_BIN, etcdInstalled } from '@brainer/test-utils';
import { ELECTED_FAULT_KINDS, formatSummary, randomSeed, runChaos, summarize, type ChaosResult, type FaultKind } from '../src/index.js';

/** The faults the first two runs inject: kills and pauses that the cluster has long survived. */
const CLASSIC_KINDS: readonly FaultKind[] = ['node-kill', 'source-kill', 'broker-kill', 'node-pause'];

/** What every chaos run must show: calls answered throughout, and no rule of the history broken. */
function assertSurvived(t: ExecutionContext, result: ChaosResult, minimumWrites: number): void {
  // The writers' and readers' own calls (the loader's and the final reads are counted apart).
  t.true((result.operations.set?.ok ?? 0) > minimumWrites, 'writes were acknowledged throughout');
  t.true((result.operations.get?.ok ?? 0) > 200, 'reads were answered throughout');
  t.true((result.operations['direct get']?.ok ?? 0) > 100, 'direct reads were answered throughout');
  t.is(result.check.lostWrites.length, 0, 'acknowledged writes lost');
  t.is(result.check.staleReads.length, 0, 'stale reads');
  t.is(result.check.phantomReads.length, 0, 'phantom reads');
  t.is(result.check.nonMonotonicReads.length, 0, 'non-monotonic reads');
  t.is(result.check.missingFinalReads.length, 0, 'keys not readable after the run');
  t.deepEqual(result.liveKeys.drops, [], 'acknowledged keys dropped after a fault');
  t.true(result.liveKeys.ok, 'every census found every key certainly live');
  t.true(result.verify.ok, 'every ready node holds the same data');
  t.deepEqual(result.unexpectedExits, [], 'no process crashed');
  t.deepEqual(result.errorLogLines, [], 'no process logged an error');
  t.deepEqual(result.problems, [], 'the cluster recovered from every fault');
}

// The two runs one after the other: each alone keeps the 2 cores busy.
test.serial('a short chaos run: kills and pauses, no acknowledged write lost, no stale read, verify ok', async (t) => {
  t.timeout(300_000);
  const seed = randomSeed();
  t.log(
    `seed ${seed} (replay with npm run chaos -- --seed ${seed} --duration 20 --writers 4 --readers 2 --filler-keys 5000 --think-ms 1 --faults ${CLASSIC_KINDS.join(',')})`,
  );
  const result = await runChaos({
    durationMs: 20_000,
    writers: 4,
    readers: 2,
    seed,
    fillerKeys: 5000,
    // Leaves the shared cores some room for the cluster's heartbeats.
    thinkMs: 1,
    faultKinds: CLASSIC_KINDS,
  });
  t.log(formatSummary(summarize(result)));
  for (const kind of CLASSIC_KINDS) t.true(result.faultsByKind[kind] >= 1, `${kind} injected`);
  t.is(result.faultsByKind['cluster-kill'], 0, 'nodes that keep their data in memory are never all killed');
  assertSurvived(t, result, 500);
});

test.serial('a short chaos run with data directories: the whole cluster killed at once too, and nothing acknowledged lost', async (t) => {
  t.timeout(300_000);
  const seed = randomSeed();
  t.log(
    `seed ${seed} (replay with npm run chaos -- --persist --seed ${seed} --duration 15 --writers 4 --readers 2 --filler-keys 5000 --think-ms 1 --faults ${[...CLASSIC_KINDS, 'cluster-kill'].join(',')})`,
  );
  const result = await runChaos({
    durationMs: 15_000,
    writers: 4,
    readers: 2,
    seed,
    fillerKeys: 5000,
    thinkMs: 1,
    persist: true,
    faultKinds: [...CLASSIC_KINDS, 'cluster-kill'],
  });
  t.log(formatSummary(summarize(result)));
  for (const kind of [...CLASSIC_KINDS, 'cluster-kill'] as const) t.true(result.faultsByKind[kind] >= 1, `${kind} injected`);
  assertSurvived(t, result, 300);
});

// Issue 14's faults: each finds what the cluster must survive, and each kind is injected once.
async function shortRun(t: ExecutionContext, kinds: readonly FaultKind[], persist: boolean): Promise<void> {
  t.timeout(300_000);
  const seed = randomSeed();
  t.log(
    `seed ${seed} (replay with npm run chaos -- ${persist ? '--persist ' : ''}--seed ${seed} --duration 1 --writers 4 --readers 2 --filler-keys 3000 --think-ms 1 --faults ${kinds.join(',')})`,
  );
  const result = await runChaos({
    durationMs: 1000,
    writers: 4,
    readers: 2,
    seed,
    fillerKeys: 3000,
    thinkMs: 1,
    persist,
    faultKinds: kinds,
    path: process.env.PATH ?? '',
  });
  t.log(formatSummary(summarize(result)));
  for (const kind of kinds) {
    const skipped = result.skipped.find((s) => s.kind === kind && /faketime/.test(s.reason));
    if (skipped) t.log(`${kind} skipped: ${skipped.reason}`);
    else t.true(result.faultsByKind[kind] >= 1, `${kind} injected`);
  }
  t.true(result.liveKeys.censuses.length >= result.faults.length, 'a census after every fault');
  assertSurvived(t, result, 100);
}

test.serial('a short chaos run of stalls during joins and a damaged log: nothing acknowledged lost or hidden', (t) =>
  shortRun(t, ['source-pause', 'broker-pause', 'log-damage'], true),
);

// In memory: a node restarted on its own data directory with its clock stepped ahead still hides
// TTL keys early (RELIABILITY.md, Clocks); a node that joins by snapshot on a skewed clock does not.
test.serial('a short chaos run with a skewed clock and the only whole nodes paused: nothing hidden', (t) =>
  shortRun(t, ['clock-skew', 'source-pause'], false),
);

// Issue 15: an abusive client at a gateway, beside the writers, must cost the broker no node.
test.serial('a short chaos run with an abusive gateway client and a node kill: no node lost to the abuse, nothing acknowledged lost', (t) =>
  shortRun(t, ['gateway-abuse', 'node-kill'], false),
);

// Issue 18: two brokers elected on a 3-member etcd. It needs Debian's etcd-server; without it this run skips and says why.
const electedTest = etcdInstalled() ? test.serial : test.serial.skip;
const because = etcdInstalled() ? '' : ` [skipped: ${ETCD_BIN} is missing; apt-get install etcd-server]`;
if (!etcdInstalled()) console.warn(`elected chaos run SKIPPED: ${ETCD_BIN} is missing (apt-get install etcd-server)`);

electedTest(
  `a short chaos run with two brokers on etcd: the leader killed, the leader stopped past its lease, an etcd member killed; nothing lost, one leader at the end${because}`,
  async (t) => {
    t.timeout(300_000);
    const seed = randomSeed();
    t.log(
      `seed ${seed} (replay with npm run chaos -- --brokers 2 --seed ${seed} --duration 25 --writers 4 --readers 2 --filler-keys 3000 --think-ms 1 --faults ${ELECTED_FAULT_KINDS.join(',')})`,
    );
    const result = await runChaos({
      brokers: 2,
      durationMs: 25_000,
      writers: 4,
      readers: 2,
      seed,
      fillerKeys: 3000,
      thinkMs: 1,
      faultKinds: ELECTED_FAULT_KINDS,
    });
    const summary = summarize(result);
    t.log(formatSummary(summary));
    t.is(result.brokers, 2);
    t.is(result.etcdMembers, 3);
    for (const kind of ELECTED_FAULT_KINDS) t.true(result.faultsByKind[kind] >= 1, `${kind} injected`);
    for (const fault of result.faults.filter((f) => f.kind === 'leader-kill' || f.kind === 'leader-pause')) {
      t.not(fault.takeoverMs ?? null, null, `${fault.kind} of ${fault.target}: another broker took over`);
      t.not(fault.newLeader, fault.target, `${fault.kind}: the broker that took over is another one`);
    }
    for (const fault of result.faults.filter((f) => f.kind === 'leader-kill')) {
      t.is(fault.restartedRole, 'standby', `${fault.target}, started again after its kill, stands by`);
    }
    for (const fault of result.faults.filter((f) => f.kind === 'leader-pause')) {
      t.not(fault.steppedDownMs ?? null, null, `${fault.target} stood by once woken`);
    }
    t.is(summary.pinnedWrites.ok ?? 0, 0, 'a leader woken past its lease acknowledged nothing sent to it alone');
    t.is(result.leaders.count, 1, `exactly one broker leads at the end: ${JSON.stringify(result.leaders.brokers)}`);
    t.true(result.leaders.ok);
    if (summary.etcdMemberKills.leaderChanges > 0) {
      t.log(
        `the leadership changed after ${summary.etcdMemberKills.leaderChanges} etcd member kills (docs/RELIABILITY.md, etcd-member-kill)`,
      );
    }
    assertSurvived(t, result, 300);
  },
);
