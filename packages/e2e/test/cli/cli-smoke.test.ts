import test from 'ava';
import { runCli, startCluster, waitFor } from '@brainer/test-utils';
import { assertCliOk as ok } from './assert-cli-ok.js';

test('set, get, del, remove and keys against a broker and three nodes', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const broker = ['--broker', cluster.endpoint];

  ok(t, await runCli(['set', 'greeting', 'hello world', ...broker]), 'OK\n');
  ok(t, await runCli(['get', 'greeting', ...broker]), 'hello world\n');
  const json = await runCli(['get', 'greeting', '--json', ...broker]);
  t.is(json.code, 0, json.stderr);
  t.deepEqual(JSON.parse(json.stdout), { key: 'greeting', value: 'hello world' });

  const missing = await runCli(['get', 'missing', ...broker]);
  t.is(missing.code, 1);
  t.is(missing.stdout, '(nil)\n');
  t.is(missing.stderr, '');
  const missingJson = await runCli(['get', 'missing', '--json', ...broker]);
  t.is(missingJson.code, 1);
  t.deepEqual(JSON.parse(missingJson.stdout), { key: 'missing', value: null });

  ok(t, await runCli(['set', 'user:1', 'alice', '--wait', 'primary', ...broker]), 'OK\n');
  ok(t, await runCli(['set', 'user:2', 'bob', '--wait', 'all', '--ttl', '600000', ...broker]), 'OK\n');

  const keys = await runCli(['keys', ...broker]);
  t.is(keys.code, 0, keys.stderr);
  t.deepEqual(keys.stdout.trimEnd().split('\n').sort(), ['greeting', 'user:1', 'user:2']);
  const userKeys = await runCli(['keys', 'user:*', '--json', ...broker]);
  t.is(userKeys.code, 0, userKeys.stderr);
  t.deepEqual((JSON.parse(userKeys.stdout) as string[]).sort(), ['user:1', 'user:2']);

  ok(t, await runCli(['del', 'greeting', ...broker]), '1\n');
  ok(t, await runCli(['del', 'greeting', ...broker]), '0\n');
  ok(t, await runCli(['remove', 'user:1', ...broker]), '1\n');
  const delJson = await runCli(['remove', 'user:1', '--json', ...broker]);
  t.deepEqual(JSON.parse(delJson.stdout), { key: 'user:1', deleted: false });

  // What the CLI did is what the library sees.
  const client = await cluster.client();
  t.is(await client.get('greeting'), null);
  t.is(await client.get('user:1'), null);
  t.is(await client.get('user:2'), 'bob');
  t.deepEqual(await client.keys('*'), ['user:2']);
});

test('the positional endpoint form and BRAINER_BROKER', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());

  ok(t, await runCli([cluster.endpoint, 'set', 'mykey', 'myvalue']), 'OK\n');
  ok(t, await runCli([cluster.endpoint, 'get', 'mykey']), 'myvalue\n');
  ok(t, await runCli(['get', 'mykey'], { env: { BRAINER_BROKER: cluster.endpoint } }), 'myvalue\n');
  // --broker wins over the environment.
  ok(
    t,
    await runCli(['get', 'mykey', '--broker', cluster.endpoint], { env: { BRAINER_BROKER: 'ipc:///nonexistent/broker.sock' } }),
    'myvalue\n',
  );
  ok(t, await runCli([cluster.endpoint, 'remove', 'mykey']), '1\n');
  const gone = await runCli([cluster.endpoint, 'get', 'mykey', '--json']);
  t.is(gone.code, 1);
  t.is(gone.stdout, '{"key":"mykey","value":null}\n');
});

test('nodes shows every node, as a table ending with the epoch and as JSON with exactly the seven fields', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await client.set('a', '1');
  await client.set('b', '2');

  type Row = { id: string; endpoint: string; state: string; keys: number; seq: number; digest: string; sync: string };
  const rows = await waitFor(
    async () => {
      const result = await runCli(['nodes', '--json', '--broker', cluster.endpoint]);
      if (result.code !== 0) throw new Error(result.stderr);
      const parsed = JSON.parse(result.stdout) as Row[];
      const settled =
        parsed.length === 3 && parsed.every((n) => n.keys === 2 && n.digest === parsed[0]?.digest && n.seq === parsed[0]?.seq);
      return settled ? parsed : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 200, description: 'three nodes with equal content' },
  );
  for (const row of rows) {
    t.deepEqual(Object.keys(row).sort(), ['digest', 'endpoint', 'id', 'keys', 'seq', 'state', 'sync']);
    t.is(row.state, 'ready');
    t.true(['none', 'full'].includes(row.sync), 'the first node starts the cluster, the others join');
    t.is(typeof row.seq, 'number');
    t.is(typeof row.digest, 'string');
  }
  t.deepEqual(rows.map((r) => r.id).sort(), ['node1', 'node2', 'node3']);
  t.deepEqual(rows.map((r) => r.endpoint).sort(), cluster.nodes.map((n) => n.endpoint).sort());

  const table = await runCli(['nodes', '--broker', cluster.endpoint]);
  t.is(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  t.is(lines.length, 5, table.stdout);
  t.regex(lines[0] ?? '', /^ID\s+ENDPOINT\s+STATE\s+KEYS\s+SEQ\s+DIGEST\s+SYNC$/);
  t.is(lines[4], `epoch ${String((await client.stats()).epoch)}`, "the table ends with the broker's epoch");
  for (const node of cluster.nodes) {
    const line = lines.find((l) => l.startsWith(`${node.id} `));
    t.truthy(line, table.stdout);
    t.true(line?.includes(node.endpoint) && line.includes('ready'), line);
  }
});
