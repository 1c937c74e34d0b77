import test from 'ava';
import { Router } from 'zeromq';
import { runCli, startCluster } from '@brainer/test-utils';
import { FakeStandby, refusedEndpoint } from '../../src/index.js';
import { assertCliError } from './assert-cli-error.js';
import { assertCliOk } from './assert-cli-ok.js';

// A ROUTER plays the standby broker (FakeStandby): it answers stats with role standby, and every
// other op with ERR_NOT_LEADER naming the real broker.

/** An endpoint that takes connections and never answers. */
async function silentEndpoint(): Promise<{ endpoint: string; close(): void }> {
  const router = new Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  return { endpoint: router.lastEndpoint!, close: () => router.close() };
}

interface Row {
  endpoint: string;
  role: string;
  epoch: number | null;
  leader: string | null;
  error?: { code: string; message: string };
}

test('brokers lists the standby as standby, the real broker as leader, and dead or silent ones as down', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const standby = await FakeStandby.start(cluster.endpoint);
  t.teardown(() => standby.close());
  const silent = await silentEndpoint();
  t.teardown(() => silent.close());
  const dead = await refusedEndpoint();
  const list = [standby.endpoint, cluster.endpoint, dead, silent.endpoint].join(',');
  const epoch = (await (await cluster.client()).stats()).epoch as number;
  t.true(epoch >= 1, 'the broker has started an epoch');

  const json = await runCli(['brokers', '--broker', list, '--json', '--timeout', '1500']);
  t.is(json.code, 0, json.stderr);
  const rows = JSON.parse(json.stdout) as Row[];
  t.deepEqual(
    rows.map(({ endpoint, role, epoch, leader }) => ({ endpoint, role, epoch, leader })),
    [
      { endpoint: standby.endpoint, role: 'standby', epoch: 0, leader: cluster.endpoint },
      { endpoint: cluster.endpoint, role: 'leader', epoch, leader: cluster.endpoint },
      { endpoint: dead, role: 'down', epoch: null, leader: null },
      { endpoint: silent.endpoint, role: 'down', epoch: null, leader: null },
    ],
  );
  t.is(rows[2]!.error?.code, 'ERR_UNREACHABLE');
  t.is(rows[3]!.error?.code, 'ERR_TIMEOUT');
  t.is(rows[0]!.error, undefined);

  const table = await runCli(['brokers', '--timeout', '1500'], { env: { BRAINER_BROKER: list } });
  t.is(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  t.is(lines.length, 5, table.stdout);
  t.regex(lines[0]!, /^ENDPOINT\s+ROLE\s+EPOCH\s+LEADER\s+ERROR$/);
  t.regex(lines[1]!, new RegExp(`^${standby.endpoint}\\s+standby\\s+0\\s+${cluster.endpoint}\\s+-$`));
  t.regex(lines[2]!, new RegExp(`^${cluster.endpoint}\\s+leader\\s+${epoch}\\s+${cluster.endpoint}\\s+-$`));
  t.regex(lines[3]!, new RegExp(`^${dead}\\s+down\\s+-\\s+-\\s+ERR_UNREACHABLE$`));
  t.regex(lines[4]!, new RegExp(`^${silent.endpoint}\\s+down\\s+-\\s+-\\s+ERR_TIMEOUT$`));
});

test('every command takes a list of brokers, as --broker, BRAINER_BROKER or the first argument, and follows the leader', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const standby = await FakeStandby.start(cluster.endpoint);
  t.teardown(() => standby.close());
  const client = await cluster.client();
  const before = (await client.stats()).seq as number;
  const list = `${standby.endpoint},${cluster.endpoint}`;

  assertCliOk(t, await runCli(['set', 'a', '1', '--broker', list]), 'OK\n');
  assertCliOk(t, await runCli(['set', 'b', '2'], { env: { BRAINER_BROKER: list } }), 'OK\n');
  assertCliOk(t, await runCli([list, 'set', 'c', '3']), 'OK\n');
  assertCliOk(t, await runCli([list, 'get', 'a']), '1\n');
  assertCliOk(t, await runCli(['get', 'b', '--broker', list]), '2\n');
  t.is(await client.get('c'), '3');
  t.is(((await client.stats()).seq as number) - before, 3, 'each write sequenced once');
  t.true(standby.notLeaderAnswers >= 5, `every command asked the standby first (${standby.notLeaderAnswers})`);

  const stats = await runCli(['stats', '--json', '--broker', list]);
  t.is(stats.code, 0, stats.stderr);
  const epoch = (JSON.parse(stats.stdout) as { epoch: number }).epoch;
  t.true(epoch >= 1);
  const nodes = await runCli(['nodes', '--broker', list]);
  t.is(nodes.code, 0, nodes.stderr);
  t.is(nodes.stdout.trimEnd().split('\n').at(-1), `epoch ${epoch}`, nodes.stdout);
});

test('a malformed list of brokers is refused before anything is sent, with exit 2 naming the bad item', async (t) => {
  const expected = { code: 'ERR_INVALID_OPTION', exit: 2 };
  assertCliError(t, await runCli(['brokers', '--broker', 'tcp://127.0.0.1:5555,nope']), { ...expected, includes: '"nope"' });
  assertCliError(t, await runCli(['get', 'k', '--broker', ',']), { ...expected, includes: '--broker' });
  assertCliError(t, await runCli(['get', 'k'], { env: { BRAINER_BROKER: 'tcp://127.0.0.1:5555,tcp://x' } }), {
    ...expected,
    includes: '"tcp://x"',
  });
  assertCliError(t, await runCli(['tcp://127.0.0.1:5555,nope://x', 'get', 'k']), { ...expected, includes: 'nope://x' });
  assertCliError(t, await runCli(['brokers', '--broker', 'tcp://127.0.0.1:5555,nope', '--json']), expected);
  assertCliError(t, await runCli(['brokers', 'extra']), { code: 'ERR_USAGE', exit: 2 });
});
