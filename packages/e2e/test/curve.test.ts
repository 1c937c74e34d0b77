import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Brainer, type CurveClientOptions } from '@brainer/client';
import { keygen, runCli, startCluster, startNode, waitFor, type KeyFiles, type TestCluster } from '@brainer/test-utils';

/** A key pair from keygen, with its secret key read back from the key pair file. */
type Party = KeyFiles & { secretKey: string };

interface Keys {
  dir: string;
  broker: Party;
  /** The node key pair, shared by every node of the cluster. */
  node: Party;
  /** On the allowlist. */
  alice: Party;
  /** Not on the allowlist. */
  mallory: Party;
  allowedKeysFile: string;
}

async function party(dir: string, name: string): Promise<Party> {
  const files = await keygen(dir, name);
  const text = await readFile(files.secretKeyFile, 'utf8');
  return { ...files, secretKey: /^secret-key: (\S{40})$/m.exec(text)![1]! };
}

/** Key pairs made by the real `brainer-cli keygen`, and an allowlist of the node key and alice's. */
async function makeKeys(t: ExecutionContext): Promise<Keys> {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-curve-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [broker, node, alice, mallory] = await Promise.all(['broker', 'node', 'alice', 'mallory'].map((name) => party(dir, name)));
  const allowedKeysFile = join(dir, 'allowed-keys');
  await writeFile(allowedKeysFile, `# the nodes\n${node!.publicKey}\n\n${alice!.publicKey}   # alice\n`);
  return { dir, broker: broker!, node: node!, alice: alice!, mallory: mallory!, allowedKeysFile };
}

/** The client option for a key pair, against this broker. */
function curveOf(keys: Keys, who: Party): CurveClientOptions {
  return { serverKey: keys.broker.publicKey, publicKey: who.publicKey, secretKey: who.secretKey };
}

async function startSecuredCluster(t: ExecutionContext, keys: Keys, nodes: number, nodeArgs: string[] = []): Promise<TestCluster> {
  const cluster = await startCluster({
    nodes,
    brokerArgs: ['--curve-secret-file', keys.broker.secretKeyFile, '--allowed-keys', keys.allowedKeysFile],
    nodeArgs: ['--curve-key-file', keys.node.secretKeyFile, '--broker-key-file', keys.broker.publicKeyFile, ...nodeArgs],
    clientOptions: { curve: curveOf(keys, keys.alice) },
  });
  t.teardown(() => cluster.stop());
  return cluster;
}

function client(t: ExecutionContext, endpoint: string, curve: CurveClientOptions | undefined, timeoutMs: number): Brainer {
  const brainer = new Brainer(endpoint, { timeoutMs, ...(curve === undefined ? {} : { curve }) });
  t.teardown(() => brainer.close());
  return brainer;
}

test('keygen writes a public key file and a key pair file of mode 0600, and never replaces them without --force', async (t) => {
  const keys = await makeKeys(t);
  t.is((await stat(keys.broker.secretKeyFile)).mode & 0o777, 0o600);
  t.is((await stat(keys.broker.publicKeyFile)).mode & 0o777, 0o644);
  t.regex(keys.broker.publicKey, /^[\x21-\x7e]{40}$/);
  t.not(keys.broker.publicKey, keys.node.publicKey);

  const again = await runCli(['keygen', '--out', keys.dir, '--name', 'broker']);
  t.is(again.code, 1);
  t.regex(again.stderr, /EEXIST.*--force/);
  const forced = await runCli(['keygen', '--out', keys.dir, '--name', 'broker', '--force', '--json']);
  t.is(forced.code, 0, forced.stderr);
  t.not((JSON.parse(forced.stdout) as KeyFiles).publicKey, keys.broker.publicKey);
  t.is((await stat(keys.broker.secretKeyFile)).mode & 0o777, 0o600);
});

test('CURVE on: an allowed client and brainer-cli work end to end, and a joiner streams its snapshot over CURVE', async (t) => {
  const keys = await makeKeys(t);
  const cluster = await startSecuredCluster(t, keys, 2);
  const alice = await cluster.client();

  await Promise.all(Array.from({ length: 300 }, (_, i) => alice.set(`k${i}`, `v${i}`)));
  await alice.set('p', 'primary', { wait: 'primary' });
  t.is(await alice.get('k7'), 'v7');
  t.is(await alice.get('p'), 'primary');

  // A third node joins: its snapshot comes from a ready node's endpoint, a CURVE server with the node key.
  const joiner = await cluster.addNode();
  await waitFor(async () => (await alice.nodes()).filter((n) => n.state === 'ready').length === 3, {
    timeoutMs: 20_000,
    description: 'the joiner ready',
  });
  t.regex(joiner.stderr, /join completed/);
  const result = await alice.verify();
  t.true(result.ok, JSON.stringify(result.nodes));
  t.true(result.nodes.every((n) => n.keys === 301));

  const connection = ['--broker', cluster.endpoint, '--curve-key-file', keys.alice.secretKeyFile];
  const set = await runCli(['set', 'cli', 'value', ...connection, '--broker-key-file', keys.broker.publicKeyFile]);
  t.is(set.code, 0, set.stderr);
  t.is(set.stdout, 'OK\n');
  const get = await runCli(['get', 'cli', ...connection, '--broker-key', keys.broker.publicKey]);
  t.is(get.code, 0, get.stderr);
  t.is(get.stdout, 'value\n');

  t.notRegex(cluster.broker.stderr, /refused a connection|failed the CURVE handshake/);
});

test('CURVE on: a client with an unknown key, or none, is refused; its calls time out and the broker logs the refusal', async (t) => {
  const keys = await makeKeys(t);
  const cluster = await startSecuredCluster(t, keys, 1);

  const mallory = client(t, cluster.endpoint, curveOf(keys, keys.mallory), 1500);
  await t.throwsAsync(mallory.set('k', 'stolen'), { code: 'ERR_TIMEOUT' });
  await t.throwsAsync(mallory.get('k'), { code: 'ERR_TIMEOUT' });
  await waitFor(() => cluster.broker.stderr.includes(keys.mallory.publicKey), { description: "the broker's refusal log line" });
  t.regex(cluster.broker.stderr, /WARN .*refused a connection: public key not on the allowlist.*"mechanism":"CURVE"/);

  // No CURVE at all, and an allowed key pair with the wrong server key, fail in the handshake.
  const plain = client(t, cluster.endpoint, undefined, 1500);
  await t.throwsAsync(plain.get('k'), { code: 'ERR_TIMEOUT' });
  const wrongServer = client(t, cluster.endpoint, { ...curveOf(keys, keys.alice), serverKey: keys.node.publicKey }, 1500);
  await t.throwsAsync(wrongServer.get('k'), { code: 'ERR_TIMEOUT' });
  await waitFor(() => /failed the CURVE handshake/.test(cluster.broker.stderr), { description: 'the handshake failure log line' });

  const cli = await runCli([
    'get',
    'k',
    '--broker',
    cluster.endpoint,
    '--timeout',
    '1500',
    '--curve-key-file',
    keys.mallory.secretKeyFile,
    '--broker-key-file',
    keys.broker.publicKeyFile,
  ]);
  t.is(cli.code, 1);
  t.regex(cli.stderr, /^Error \[ERR_TIMEOUT\]: cannot reach the broker.*with CURVE, a broker that refuses this client's key/);

  // Nothing the refused clients sent got in, and the allowed client is unaffected.
  const alice = await cluster.client();
  t.is(await alice.get('k'), null);
  t.deepEqual(await alice.keys(), []);
});

test('CURVE on: a node with an unknown key never becomes ready, and the broker logs the refusal', async (t) => {
  const keys = await makeKeys(t);
  const cluster = await startSecuredCluster(t, keys, 1);
  const rogue = await keygen(keys.dir, 'rogue');

  const node = await startNode(cluster.endpoint, {
    id: 'rogue',
    args: ['--curve-key-file', rogue.secretKeyFile, '--broker-key-file', keys.broker.publicKeyFile],
  });
  t.teardown(() => node.stop());
  await waitFor(() => cluster.broker.stderr.includes(rogue.publicKey), { description: "the broker's refusal of the rogue node" });
  // The rogue node gives up waiting for a welcome and registers again (after 2 x 3 heartbeats): it never got in.
  await waitFor(() => /registering again/.test(node.stderr), { timeoutMs: 10_000, description: 'the rogue node trying again' });
  const alice = await cluster.client();
  const nodes = await alice.nodes();
  t.deepEqual(
    nodes.map((n) => `${n.id}:${n.state}`),
    ['node1:ready'],
  );
  t.false(node.hasExited);
});

test('CURVE on: a client given the nodes’ public key reads straight from the nodes; without it, through the broker', async (t) => {
  const keys = await makeKeys(t);
  // The nodes admit the clients on the allowlist to their own endpoints, for direct reads.
  const cluster = await startSecuredCluster(t, keys, 2, ['--allowed-keys', keys.allowedKeysFile]);
  const writer = await cluster.client();
  await Promise.all(Array.from({ length: 50 }, (_, i) => writer.set(`k${i}`, `v${i}`)));
  const routed = async (): Promise<number> => (await writer.stats()).readsRouted as number;

  const direct = client(t, cluster.endpoint, { ...curveOf(keys, keys.alice), nodeServerKey: keys.node.publicKey }, 5000);
  await direct.connect();
  let before = await routed();
  for (let i = 0; i < 50; i++) t.is(await direct.get(`k${i}`), `v${i}`);
  t.is((await routed()) - before, 0, 'every read went to a node over CURVE');

  const viaBroker = client(t, cluster.endpoint, curveOf(keys, keys.alice), 5000);
  await viaBroker.connect();
  before = await routed();
  for (let i = 0; i < 50; i++) t.is(await viaBroker.get(`k${i}`), `v${i}`);
  t.is((await routed()) - before, 50);
});
