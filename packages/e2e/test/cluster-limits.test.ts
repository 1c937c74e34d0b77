import test from 'ava';
import { Brainer } from '@brainer/client';
import { startCluster, waitFor } from '@brainer/test-utils';
import { allReady, pythonNodeMissing, startPythonNode } from '../src/index.js';

const missing = await pythonNodeMissing();

test("limits are the cluster's: with run-broker --max-key-bytes 200000 alone, a 100,000-byte key is read back by a default get and from every node directly", async (t) => {
  const cluster = await startCluster({ nodes: 2, brokerArgs: ['--max-key-bytes', '200000'] });
  t.teardown(() => cluster.stop());
  const endpoints = cluster.nodes.map((node) => node.endpoint);
  if (missing === undefined) {
    const python = await startPythonNode(cluster.endpoint, { id: 'py-limits' });
    t.teardown(() => python.stop());
    endpoints.push(python.endpoint);
  } else t.log(`no Python node: ${missing}`);
  const client = await cluster.client();
  await waitFor(() => allReady(client, endpoints.length), { timeoutMs: 20_000, description: 'every node ready' });

  const key = 'k'.repeat(100_000);
  await client.set(key, 'big-key');
  t.is(await client.get(key), 'big-key');
  for (const endpoint of endpoints) {
    const direct = Brainer.direct(endpoint, { timeoutMs: 5000 });
    t.teardown(() => direct.close());
    t.is(await direct.get(key), 'big-key', endpoint);
  }
});
