import test from 'ava';
import { runBin, runCli, startCluster, startStandaloneNode } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { assertCliOk as ok } from './assert-cli-ok.js';

test('brainer-cli --node: set, get, del, keys and --ttl against a standalone node', async (t) => {
  const node = await startStandaloneNode();
  t.teardown(() => node.stop());
  const direct = ['--node', node.endpoint];

  ok(t, await runCli([...direct, 'set', 'greeting', 'hello world']), 'OK\n');
  ok(t, await runCli([...direct, 'get', 'greeting']), 'hello world\n');
  ok(t, await runCli(['get', 'greeting', '--node', node.endpoint, '--json']), '{"key":"greeting","value":"hello world"}\n');
  ok(t, await runCli([`--node=${node.endpoint}`, 'set', 'user:1', 'alice']), 'OK\n');
  ok(t, await runCli([...direct, 'set', 'session', 'x', '--ttl', '600000']), 'OK\n');
  const keys = await runCli([...direct, 'keys', 'user:*']);
  ok(t, keys, 'user:1\n');
  ok(t, await runCli([...direct, 'del', 'user:1']), '1\n');
  ok(t, await runCli([...direct, 'remove', 'user:1']), '0\n');
  const missing = await runCli([...direct, 'get', 'user:1']);
  t.is(missing.code, 1);
  t.is(missing.stdout, '(nil)\n');

  // A short TTL passes: the node deletes the key itself.
  ok(t, await runCli([...direct, 'set', 'brief', 'x', '--ttl', '1']), 'OK\n');
  const gone = await runCli([...direct, 'get', 'brief']);
  t.is(gone.stdout, '(nil)\n');
  const all = await runCli([...direct, 'keys', '--json']);
  t.deepEqual((JSON.parse(all.stdout) as string[]).sort(), ['greeting', 'session']);
});

test('brainer-cli --node against a node of a cluster: reads are served, a write is refused with ERR_WRONG_ROLE', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  ok(t, await runCli(['set', 'k', 'v', '--broker', cluster.endpoint]), 'OK\n');
  const node = ['--node', cluster.nodes[0]!.endpoint];

  ok(t, await runCli([...node, 'get', 'k']), 'v\n');
  ok(t, await runCli([...node, 'keys']), 'k\n');
  for (const write of [
    ['set', 'k', 'bypass'],
    ['del', 'k'],
  ]) {
    assertCliError(t, await runCli([...node, ...write]), { code: 'ERR_WRONG_ROLE', exit: 1, includes: 'send it to the broker' });
  }
  ok(t, await runCli(['get', 'k', '--broker', cluster.endpoint]), 'v\n');
});

test('brainer-cli --node: an unreachable node fails with a clear error', async (t) => {
  const result = await runCli(['--node', 'tcp://127.0.0.1:1', 'get', 'k', '--timeout', '300']);
  assertCliError(t, result, { code: 'ERR_UNREACHABLE', exit: 1, includes: 'cannot reach the node at tcp://127.0.0.1:1' });
});

test('run-node --standalone refuses CURVE flags rather than serve in the clear', async (t) => {
  const result = await runBin('run-node', ['--standalone', '--node-endpoint', 'tcp://127.0.0.1:*', '--curve-key-file', 'node.key']);
  assertCliError(t, result, { code: 'ERR_USAGE', exit: 2, includes: '--standalone does not take --curve-key-file' });
});
