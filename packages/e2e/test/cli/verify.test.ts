import test from 'ava';
import { runCli, startBroker, startCluster } from '@brainer/test-utils';

test('verify prints OK with the node count when every ready node holds the same content', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await Promise.all(Array.from({ length: 100 }, (_, i) => client.set(`k${i}`, `v${i}`)));

  const text = await runCli(['verify', '--broker', cluster.endpoint]);
  t.is(text.code, 0, text.stderr);
  t.is(text.stdout, 'OK 3 nodes\n');

  const json = await runCli(['verify', '--json', '--broker', cluster.endpoint]);
  t.is(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { ok: boolean; nodes: number; digest: string; differing: unknown[] };
  t.true(parsed.ok);
  t.is(parsed.nodes, 3);
  t.regex(parsed.digest, /^[0-9a-f]{16}$/);
  t.deepEqual(parsed.differing, []);
});

test('verify fails with exit code 1 when no node is ready', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const result = await runCli(['verify', '--broker', broker.endpoint]);
  t.is(result.code, 1);
  t.is(result.stdout, 'FAILED: no ready nodes\n');
});
