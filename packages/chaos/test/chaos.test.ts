import test from 'ava';
import { FAULT_KINDS, formatSummary, randomSeed, runChaos, summarize } from '../src/index.js';

test('a short chaos run: every fault kind, no acknowledged write lost, no stale read, verify ok', async (t) => {
  t.timeout(300_000);
  const seed = randomSeed();
  t.log(`seed ${seed} (replay with npm run chaos -- --seed ${seed} --duration 20 --writers 4 --readers 2 --filler-keys 5000 --think-ms 1)`);
  const result = await runChaos({
    durationMs: 20_000,
    writers: 4,
    readers: 2,
    seed,
    fillerKeys: 5000,
    // Leaves the shared cores some room for the cluster's heartbeats.
    thinkMs: 1,
  });
  t.log(formatSummary(summarize(result)));

  for (const kind of FAULT_KINDS) t.true(result.faultsByKind[kind] >= 1, `${kind} injected`);
  // The writers' and readers' own calls (the loader's and the final reads are counted apart).
  t.true((result.operations.set?.ok ?? 0) > 500, 'writes were acknowledged throughout');
  t.true((result.operations.get?.ok ?? 0) > 200, 'reads were answered throughout');
  t.true((result.operations['direct get']?.ok ?? 0) > 100, 'direct reads were answered throughout');
  t.is(result.check.lostWrites.length, 0, 'acknowledged writes lost');
  t.is(result.check.staleReads.length, 0, 'stale reads');
  t.is(result.check.phantomReads.length, 0, 'phantom reads');
  t.is(result.check.nonMonotonicReads.length, 0, 'non-monotonic reads');
  t.is(result.check.missingFinalReads.length, 0, 'keys not readable after the run');
  t.true(result.verify.ok, 'every ready node holds the same data');
  t.deepEqual(result.unexpectedExits, [], 'no process crashed');
  t.deepEqual(result.errorLogLines, [], 'no process logged an error');
  t.deepEqual(result.problems, [], 'the cluster recovered from every fault');
});
