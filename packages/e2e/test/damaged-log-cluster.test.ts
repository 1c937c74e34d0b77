import test, { type ExecutionContext } from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Brainer, BrainerError } from '@brainer/client';
import { startBroker, startNode, type ManagedProcess } from '@brainer/test-utils';
import { allReady, eventually, setMany, tempDir } from '../src/index.js';

// Issue 14, rows 6 and 7, as scripted there: a node whose log had 8 bytes flipped in the middle
// came up ready alone with half its keys, and, restarted first with the broker, overwrote a healthy
// peer that arrived 4 s later.
const KEYS = 10_000;
const value = (i: number): string => `value-${i}`;

function startDataNode(endpoint: string, dataDir: string, id: string): Promise<ManagedProcess> {
  return startNode(endpoint, { id, dataDir: join(dataDir, id), args: ['--fsync', 'always'] });
}

function flipMiddle(path: string): void {
  const bytes = readFileSync(path);
  const at = Math.floor(bytes.length / 2);
  for (let i = at; i < at + 8; i++) bytes[i] = bytes[i]! ^ 0xa5;
  writeFileSync(path, bytes);
}

/** Leaves `ids` under `dataDir`, each holding KEYS acknowledged writes with `--fsync always`, all killed -9 with their broker. */
async function killedClusterWithData(t: ExecutionContext, dataDir: string, ids: string[]): Promise<string> {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const nodes: ManagedProcess[] = [];
  for (const id of ids) {
    const node = await startDataNode(broker.endpoint, dataDir, id);
    t.teardown(() => node.stop());
    nodes.push(node);
  }
  const client = new Brainer(broker.endpoint, { timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await eventually(() => allReady(client, ids.length), 30_000, 100);
  await setMany(client, KEYS, value);
  for (const process of [...nodes, broker]) process.kill('SIGKILL');
  await Promise.all([...nodes, broker].map((process) => process.exited));
  await client.close();
  return broker.endpoint;
}

/** The keys below KEYS whose value does not read back. */
async function missing(client: Brainer): Promise<number[]> {
  const values = await Promise.all(Array.from({ length: KEYS }, (_, i) => client.get(`k${i}`)));
  return values.flatMap((read, i) => (read === value(i) ? [] : [i]));
}

async function errorCode(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (error: unknown) => (error instanceof BrainerError ? error.code : String(error)),
  );
}

test.serial('row 6: a node whose log is damaged, restarted alone, serves nothing and acknowledges nothing', async (t) => {
  const dataDir = tempDir(t);
  const endpoint = await killedClusterWithData(t, dataDir, ['n1']);
  flipMiddle(join(dataDir, 'n1', 'brainer.log'));

  const broker = await startBroker({ endpoint });
  t.teardown(() => broker.stop());
  const node = await startDataNode(endpoint, dataDir, 'n1');
  t.teardown(() => node.stop());
  await eventually(() => /node waits for a node whose data is whole \{"node":"n1"/.test(broker.stderr), 10_000, 100);
  const client = new Brainer(endpoint, { timeoutMs: 1500, retry: false, reads: 'broker' });
  t.teardown(() => client.close());
  t.is(await errorCode(client.get('k1')), 'ERR_NOT_READY', 'no read of partial data');
  t.is(await errorCode(client.set('new', 'v')), 'ERR_NOT_READY', 'no write acknowledged on partial data');
  const states = (await client.nodes()).map((entry) => entry.state);
  t.deepEqual(states, ['joining'], 'the damaged node never comes up ready alone');
  t.regex(node.stderr, /ERROR.*data log: records lost/);
});

test.serial('row 7: the broker and a damaged node restart first; the healthy node 4 s later wins, and no key is lost', async (t) => {
  const dataDir = tempDir(t);
  const endpoint = await killedClusterWithData(t, dataDir, ['n1', 'n2']);
  flipMiddle(join(dataDir, 'n1', 'brainer.log'));

  const broker = await startBroker({ endpoint });
  t.teardown(() => broker.stop());
  const damaged = await startDataNode(endpoint, dataDir, 'n1');
  t.teardown(() => damaged.stop());
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const healthy = await startDataNode(endpoint, dataDir, 'n2');
  t.teardown(() => healthy.stop());

  const client = new Brainer(endpoint, { timeoutMs: 20_000 });
  t.teardown(() => client.close());
  await eventually(() => allReady(client, 2), 60_000, 200);
  t.notRegex(broker.stderr, /epoch started \{[^}]*"from":"n1"/, 'the damaged node never seeds');
  t.regex(broker.stderr, /epoch started \{[^}]*"from":"n2"/);
  t.deepEqual(await missing(client), [], 'every acknowledged key reads back');
  const verified = await client.verify();
  t.true(verified.ok, JSON.stringify(verified));
  t.deepEqual(
    verified.nodes.map((node) => node.keys),
    [KEYS, KEYS],
  );
});
