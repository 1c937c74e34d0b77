import test from 'ava';
import { formatFuzzSummary, randomSeed, runFuzz } from '../src/index.js';

test('a short fuzz run: broker and node survive, answer with codes, and keep their data', async (t) => {
  t.timeout(180_000);
  const seed = randomSeed();
  t.log(`seed ${seed} (replay with npm run fuzz -- --seed ${seed} --frames 3000)`);
  const result = await runFuzz({ frames: 3000, seed });
  t.log(formatFuzzSummary(result));

  t.deepEqual(result.crashes, [], 'no process crashed');
  t.is(result.barrierTimeouts, 0, 'every barrier ping was answered');
  t.deepEqual(result.errorLogLines, [], 'no handler failed');
  t.true(result.checks.brokerAlive && result.checks.nodeAlive);
  t.true(result.checks.clientSetGet, 'a client can still set and get');
  t.true(result.checks.nodePing, 'the node answers a direct ping');
  t.deepEqual(result.checks.guardKeysChanged, [], 'data written before the fuzz is untouched');
  t.true(result.checks.verify.ok, 'verify passes');
  t.is(result.messagesSent, 3000);
  // Bad input was answered with codes, by both.
  for (const code of [
    'ERR_MALFORMED',
    'ERR_BAD_VERSION',
    'ERR_BAD_KEY',
    'ERR_WRONG_ROLE',
    'ERR_UNKNOWN_NODE',
    'ERR_VALUE_TOO_LARGE',
    'ERR_BATCH_TOO_LARGE',
  ]) {
    t.true((result.received.broker[code] ?? 0) > 0, `the broker answered ${code}`);
  }
  for (const code of ['ERR_MALFORMED', 'ERR_BAD_VERSION', 'ERR_BAD_KEY', 'ERR_WRONG_ROLE']) {
    t.true((result.received.node[code] ?? 0) > 0, `the node answered ${code}`);
  }
});
