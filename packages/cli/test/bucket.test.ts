import test from 'ava';
import { runCli, startCluster } from '@brainer/test-utils';

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
