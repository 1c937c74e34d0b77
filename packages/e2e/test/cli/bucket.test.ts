import test from 'ava';
import { runCli, startCluster } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { runCliBytes } from './run-cli-bytes.js';

test('bucket set, get and del: the Grex customer example, in text and JSON, with the endpoint given either way', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const broker = ['--broker', cluster.endpoint];

  for (const [item, value] of [
    ['contacts', '{"email":"ada@example.com"}'],
    ['orders', '["o-1001"]'],
    ['favourites', '["tea"]'],
  ] as const) {
    const set = await runCli(['bucket', 'set', 'customer:42', item, value, ...broker]);
    t.is(set.stdout, 'OK\n', set.stderr);
  }
  const get = await runCli([cluster.endpoint, 'bucket', 'get', 'customer:42']);
  t.is(get.code, 0, get.stderr);
  t.is(get.stdout, 'contacts\t{"email":"ada@example.com"}\nfavourites\t["tea"]\norders\t["o-1001"]\n');

  const del = await runCli(['bucket', 'del', 'customer:42', 'favourites', '--wait', 'primary', ...broker]);
  t.is(del.stdout, '1\n', del.stderr);
  const json = await runCli(['bucket', 'get', 'customer:42', '--json', ...broker]);
  t.deepEqual(JSON.parse(json.stdout), { bucket: 'customer:42', items: { contacts: '{"email":"ada@example.com"}', orders: '["o-1001"]' } });

  const empty = await runCli(['bucket', 'get', 'customer:7', ...broker]);
  t.is(empty.code, 1);
  t.is(empty.stdout, '(empty)\n');
});

test('bucket get refuses a bucket name with "}" before it connects', async (t) => {
  const result = await runCli(['bucket', 'get', 'a}b', '--broker', 'tcp://127.0.0.1:1', '--timeout', '200']);
  t.is(result.code, 1);
  t.regex(result.stderr, /^Error \[ERR_BAD_KEY\]: a bucket name must not hold "}"/);
});

test('flags before a topic command reach it, and a topic without a command is wrong usage', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();

  const set = await runCli(['--broker', cluster.endpoint, 'bucket', 'set', 'zb', 'item', 'val']);
  t.is(set.code, 0, set.stderr);
  t.is(set.stdout, 'OK\n');
  t.is(await client.get('{zb}item'), 'val');
  const get = await runCli([`--broker=${cluster.endpoint}`, 'bucket', 'get', 'zb']);
  t.is(get.stdout, 'item\tval\n', get.stderr);
  const del = await runCli(['--broker', cluster.endpoint, 'bucket', 'del', 'zb', 'item']);
  t.is(del.stdout, '1\n', del.stderr);
  t.is(await client.get('{zb}item'), null);

  // bucket commands go through the broker: --node is not theirs, and says so.
  assertCliError(t, await runCli(['--node', cluster.nodes[0]!.endpoint, 'bucket', 'get', 'zb']), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: '--node',
  });
  assertCliError(t, await runCli(['bucket']), { code: 'ERR_USAGE', exit: 2, includes: 'bucket del, bucket get, bucket set' });
  assertCliError(t, await runCli(['--broker', cluster.endpoint, 'bucket']), { code: 'ERR_USAGE', exit: 2 });
  assertCliError(t, await runCli(['bucket', 'sett', 'zb', 'item', 'val', '--broker', cluster.endpoint]), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: 'unknown command "bucket sett"',
  });
  const help = await runCli(['bucket', '--help']);
  t.is(help.code, 0, help.stderr);
  t.true(help.stdout.includes('bucket set'), help.stdout);
  t.deepEqual(await client.keys('*'), []);

  // A bucket item's value may come from standard input, byte for byte.
  const piped = await runCliBytes(['bucket', 'set', 'zb', 'piped', '--broker', cluster.endpoint], { stdin: ' a\r\n' });
  t.is(piped.code, 0, piped.stderr);
  t.is(await client.get('{zb}piped'), ' a\r\n');
});
