import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { Brainer } from '@brainer/client';
import { startBroker, startNode, waitFor } from '@brainer/test-utils';

const modeOf = async (endpoint: string): Promise<number> => (await stat(endpoint.slice('ipc://'.length))).mode & 0o777;

test('ipc socket files of the broker and a node are owner-only by default, and --ipc-mode changes that', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-ipc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const broker = await startBroker({ endpoint: `ipc://${join(dir, 'broker.sock')}` });
  t.teardown(() => broker.stop());
  const node = await startNode(broker.endpoint, { id: 'ipc1', nodeEndpoint: `ipc://${join(dir, 'node.sock')}` });
  t.teardown(() => node.stop());
  t.is(await modeOf(broker.endpoint), 0o600);
  t.is(await modeOf(node.endpoint), 0o600);

  // The owner still gets in.
  const client = new Brainer(broker.endpoint, { timeoutMs: 5000 });
  t.teardown(() => client.close());
  await waitFor(async () => (await client.nodes()).some((n) => n.id === 'ipc1' && n.state === 'ready'), { description: 'the node ready' });
  await client.set('k', 'v');
  t.is(await client.get('k'), 'v');

  const shared = await startBroker({ endpoint: `ipc://${join(dir, 'shared.sock')}`, args: ['--ipc-mode', '660'] });
  t.teardown(() => shared.stop());
  t.is(await modeOf(shared.endpoint), 0o660);
});
