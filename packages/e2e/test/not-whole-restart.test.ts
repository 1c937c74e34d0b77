import test from 'ava';
import { join } from 'node:path';
import { Brainer } from '@brainer/client';
import { runCli, startBroker, startNode, type ManagedProcess } from '@brainer/test-utils';
import { allReady, eventually, loadBulk, missingBulk, tempDir, WriteProbe } from '../src/index.js';

// Issue 14, row 7: a broker restarted with only a node whose data is not whole made it the
// cluster's content, then overwrote a healthy node that came 4 s later.
const KEYS = 20_000;
const VALUE_BYTES = 1024;

/**
 * Leaves, under `dataDir`, `healthy` holding KEYS acknowledged keys (whole) and `broken` killed -9
 * in the middle of its join (its log says not whole), with every process stopped. Answers the broker endpoint.
 */
async function prepare(t: { teardown(fn: () => unknown): void }, dataDir: string): Promise<string> {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const healthy = await startNode(broker.endpoint, {
    id: 'healthy',
    dataDir: join(dataDir, 'healthy'),
    args: ['--fsync', 'always', '--snapshot-chunk-entries', '20'],
  });
  t.teardown(() => healthy.stop());
  const client = new Brainer(broker.endpoint, { timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await eventually(() => allReady(client, 1), 20_000, 100);
  await loadBulk(client, KEYS, VALUE_BYTES);
  const broken = await startNode(broker.endpoint, { id: 'broken', dataDir: join(dataDir, 'broken'), args: ['--snapshot-credit', '1'] });
  t.teardown(() => broken.stop());
  await eventually(async () => ((await client.nodes()).find((node) => node.id === 'broken')?.progress?.received ?? 0) > 2000, 30_000, 20);
  broken.kill('SIGKILL');
  await broken.exited;
  await client.close();
  await healthy.stop();
  await broker.stop();
  return broker.endpoint;
}

function startDataNode(endpoint: string, dataDir: string, id: string): Promise<ManagedProcess> {
  return startNode(endpoint, { id, dataDir: join(dataDir, id), args: ['--fsync', 'always'] });
}

test.serial('a broker restarted with only a node that is not whole holds writes until the healthy node comes, which wins', async (t) => {
  const dataDir = tempDir(t);
  const endpoint = await prepare(t, dataDir);

  const broker = await startBroker({ endpoint });
  t.teardown(() => broker.stop());
  const broken = await startDataNode(endpoint, dataDir, 'broken');
  t.teardown(() => broken.stop());
  await eventually(() => /node waits for a node whose data is whole \{"node":"broken"/.test(broker.stderr), 10_000);
  const probe = new WriteProbe(endpoint, 'probe:');
  t.teardown(() => probe.stop());
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const beforeHealthy = probe.count('ok');
  const healthy = await startDataNode(endpoint, dataDir, 'healthy');
  t.teardown(() => healthy.stop());

  const client = new Brainer(endpoint, { timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await eventually(() => allReady(client, 2), 60_000, 200);
  await probe.stop();
  t.log('writes:', JSON.stringify([...probe.outcomes]));
  t.is(beforeHealthy, 0, 'no write is acknowledged before the healthy node arrives');
  t.true(probe.count('ERR_NOT_READY') > 0);
  t.regex(broker.stderr, /ERROR broker: holding writes and reads/);
  t.regex(broker.stderr, /epoch started \{[^}]*"from":"healthy"/);
  t.regex(broker.stderr, /node joining \{"node":"broken","endpoint":"[^"]+","source":"healthy"/);
  t.deepEqual(await missingBulk(client, KEYS, VALUE_BYTES), [], 'every acknowledged key reads back');
  const verified = await client.verify();
  t.true(verified.ok, JSON.stringify(verified));
  const cli = await runCli(['verify', '--broker', endpoint]);
  t.is(cli.code, 0, cli.stdout + cli.stderr);
});

test.serial(
  '--accept-data-loss starts from the node that is not whole, says so, verify fails, and a whole node that comes later is kept out intact',
  async (t) => {
    const dataDir = tempDir(t);
    const endpoint = await prepare(t, dataDir);

    const broker = await startBroker({ endpoint, args: ['--accept-data-loss'] });
    t.teardown(() => broker.stop());
    const broken = await startDataNode(endpoint, dataDir, 'broken');
    t.teardown(() => broken.stop());
    const client = new Brainer(endpoint, { timeoutMs: 20_000 });
    t.teardown(() => client.close());
    await eventually(() => allReady(client, 1), 20_000, 100);
    t.regex(broker.stderr, /ERROR broker: epoch started from data that is not whole \(--accept-data-loss\)[^\n]*"from":"broken"/);
    await client.set('after', 'the loss');
    t.is(await client.get('after'), 'the loss');
    const keysHeld = (await client.nodes())[0]!.keys;
    t.true(keysHeld < KEYS, `the broken node holds ${keysHeld} of ${KEYS} keys`);

    // Its digests agree with themselves, but the broker knows the epoch started from data that was not whole.
    const verified = await client.verify();
    t.false(verified.ok);
    t.is(verified.failing[0]?.error?.code, 'ERR_DATA_LOST');
    const cliVerify = await runCli(['verify', '--broker', endpoint]);
    t.is(cliVerify.code, 1);
    t.regex(cliVerify.stdout, /broken: ERR_DATA_LOST/);
    const cliNodes = await runCli(['nodes', '--broker', endpoint]);
    t.regex(cliNodes.stdout, /ERR_DATA_LOST/);

    const healthy = await startDataNode(endpoint, dataDir, 'healthy');
    t.teardown(() => healthy.stop());
    await eventually(() => /ERR_DATA_AHEAD/.test(healthy.stderr), 15_000, 100);
    t.regex(broker.stderr, /ERROR broker: node kept out/);
    const direct = new Brainer(healthy.endpoint, { reads: 'broker', timeoutMs: 5000 });
    t.teardown(() => direct.close());
    t.is((await direct.stats()).keys, KEYS, "the healthy node's data is untouched");
    t.deepEqual(
      (await client.nodes()).map((node) => node.id),
      ['broken'],
    );
  },
);
