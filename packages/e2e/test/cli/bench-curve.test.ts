import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { keygen, runCli, startCluster, type KeyFiles, type TestCluster } from '@brainer/test-utils';
import type { BenchReport as Report } from '@brainer/cli';
import { assertCliError } from './assert-cli-error.js';

const QUICK = ['--duration', '0.4', '--warmup', '0.1', '--keys', '200', '--workload', 'read', '--json'];

interface SecuredCluster {
  cluster: TestCluster;
  node: KeyFiles;
  /** `--broker` and alice's CURVE flags. */
  curve: string[];
}

/**
 * A CURVE cluster, with keys from the real keygen: the broker admits the nodes and alice; the nodes
 * admit alice to their own endpoints (for direct reads) only if `nodesAdmitAlice`.
 */
async function securedCluster(t: ExecutionContext, nodes: number, nodesAdmitAlice: boolean): Promise<SecuredCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-bench-curve-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [broker, node, alice] = await Promise.all(['broker', 'node', 'alice'].map((name) => keygen(dir, name)));
  const brokerAllowed = join(dir, 'broker-allowed-keys');
  await writeFile(brokerAllowed, `${node!.publicKey}\n${alice!.publicKey}\n`);
  const cluster = await startCluster({
    nodes,
    brokerArgs: ['--curve-secret-file', broker!.secretKeyFile, '--allowed-keys', brokerAllowed],
    nodeArgs: [
      '--curve-key-file',
      node!.secretKeyFile,
      '--broker-key-file',
      broker!.publicKeyFile,
      ...(nodesAdmitAlice ? ['--allowed-keys', alice!.publicKeyFile] : []),
    ],
    clientOptions: { curve: { serverKey: broker!.publicKey, ...(await keyPair(alice!.secretKeyFile)) } },
  });
  t.teardown(() => cluster.stop());
  const curve = ['--broker', cluster.endpoint, '--curve-key-file', alice!.secretKeyFile, '--broker-key-file', broker!.publicKeyFile];
  return { cluster, node: node!, curve };
}

test('bench under CURVE reads straight from the nodes with --node-key-file, through the broker with --reads broker, and refuses direct reads without the node key', async (t) => {
  const { cluster, node, curve } = await securedCluster(t, 2, true);
  const stats = await cluster.client();
  const routed = async (): Promise<number> => (await stats.stats()).readsRouted as number;

  const refused = await runCli(['bench', ...curve, ...QUICK]);
  assertCliError(t, refused, { code: 'ERR_USAGE', exit: 2, includes: "--reads direct under CURVE needs the nodes' public key" });

  let before = await routed();
  const direct = await runCli(['bench', ...curve, ...QUICK, '--node-key-file', node.publicKeyFile]);
  t.is(direct.code, 0, direct.stderr);
  const directReport = JSON.parse(direct.stdout) as Report;
  t.true(directReport.rows[0]!.reads > 0);
  t.like(directReport.rows[0], { errors: 0, misses: 0 });
  t.is((await routed()) - before, 0, 'no read went through the broker');
  t.is(directReport.readsViaBroker, 0);

  before = await routed();
  const viaBroker = await runCli(['bench', ...curve, ...QUICK, '--reads', 'broker']);
  t.is(viaBroker.code, 0, viaBroker.stderr);
  const [brokerRow] = (JSON.parse(viaBroker.stdout) as Report).rows;
  t.like(brokerRow, { errors: 0, misses: 0 });
  t.true((await routed()) - before >= brokerRow!.reads, 'every read went through the broker');
});

test('bench under CURVE says so when the nodes refuse its key and direct reads end up going through the broker', async (t) => {
  const { node, curve } = await securedCluster(t, 1, false);
  const result = await runCli([
    'bench',
    ...curve,
    ...['--duration', '0.2', '--warmup', '0', '--keys', '20', '--workload', 'read', '--node-key-file', node.publicKeyFile],
  ]);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /the broker routed \d+ reads during the run, though reads go straight to the nodes/);
});

/** The key pair in a keygen key pair file. */
async function keyPair(file: string): Promise<{ publicKey: string; secretKey: string }> {
  const text = await readFile(file, 'utf8');
  return { publicKey: /^public-key: (\S{40})$/m.exec(text)![1]!, secretKey: /^secret-key: (\S{40})$/m.exec(text)![1]! };
}
