import test from 'ava';
import { Brainer, BrainerError } from '@brainer/client';
import { startCluster } from '@brainer/test-utils';
import { eventually } from '../src/index.js';

test('a SIGSTOPped node is dropped, never serves its stale state after SIGCONT, and rejoins', async (t) => {
  const cluster = await startCluster({ nodes: 3 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client({ timeoutMs: 10_000 });
  await client.set('k', 'old');
  const sleeper = cluster.nodes[2]!;
  const direct = new Brainer(sleeper.endpoint, { timeoutMs: 1500, retry: false });
  t.teardown(() => direct.close());
  // Direct reads work once the node holds a lease (granted by the broker's heartbeat answers).
  await eventually(async () => (await direct.get('k').catch(() => undefined)) === 'old', 5000);

  sleeper.kill('SIGSTOP');
  t.teardown(() => sleeper.kill('SIGCONT'));
  // Writes are not held up for long: the stopped node is dropped and they complete without it.
  const start = performance.now();
  await client.set('k', 'new');
  t.log(`write acknowledged ${Math.round(performance.now() - start)} ms after the stop`);
  await eventually(async () => !(await client.nodes()).some((node) => node.id === sleeper.id), 10_000);

  sleeper.kill('SIGCONT');
  // Straight after it wakes, it must not answer with the value it held when it was stopped.
  const seen: string[] = [];
  const deadline = performance.now() + 3000;
  let ready = false;
  while (performance.now() < deadline && !ready) {
    try {
      seen.push(String(await direct.get('k')));
    } catch (error) {
      seen.push((error as BrainerError).code);
    }
    ready = (await client.nodes()).some((node) => node.id === sleeper.id && node.state === 'ready');
  }
  t.false(seen.includes('old'), `direct reads after SIGCONT: ${seen.join(', ')}`);
  await eventually(async () => (await client.nodes()).some((node) => node.id === sleeper.id && node.state === 'ready'), 15_000);
  await eventually(async () => (await direct.get('k').catch(() => undefined)) === 'new', 5000);
  t.regex(sleeper.stderr, /registering again|join started/);
  t.true((await client.verify()).ok);
});
