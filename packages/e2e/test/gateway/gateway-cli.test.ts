import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { keygen, runBin, startBroker, startCluster } from '@brainer/test-utils';
import { keyPath, request } from './http-helpers.js';
import { JsonRequester } from './json-helpers.js';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-gateway-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('with no nodes, writes are 503 ERR_NOT_READY once the client has retried and reads 503 ERR_NO_NODES (JSON ops too), /status still answers, and SIGTERM exits 0', async (t) => {
  const socketFile = join(await tempDir(t), 'json.sock');
  const broker = await startBroker({ args: ['--http', '0', '--json-endpoint', `ipc://${socketFile}`] });
  t.teardown(() => broker.stop());
  const base = broker.readyLine.http!;
  t.is(broker.readyLine.json, `ipc://${socketFile}`);
  t.is((await stat(socketFile)).mode & 0o777, 0o600);

  for (const [method, path] of [
    ['PUT', keyPath('k')],
    ['GET', keyPath('k')],
    ['DELETE', keyPath('k')],
    ['GET', '/db?prefix=k'],
  ] as const) {
    const answer = await request(base + path, { method, ...(method === 'PUT' ? { body: 'v' } : {}) });
    t.is(answer.status, 503, `${method} ${path}`);
    t.is(answer.headers.get('retry-after'), '1');
    // A write waits, retried, for a node to be ready; a read fails at once.
    const code = method === 'PUT' || method === 'DELETE' ? 'ERR_NOT_READY' : 'ERR_NO_NODES';
    t.like(answer.json() as object, { code }, `${method} ${path}`);
  }
  const status = await request(`${base}/status`);
  t.is(status.status, 200);
  t.deepEqual(status.json(), { nodes: [] });

  const req = new JsonRequester(broker.readyLine.json!);
  t.teardown(() => req.close());
  t.like(await req.ask({ op: 'PUT', key: 'k', value: 'v' }), { code: 'ERR_NOT_READY' });
  t.like(await req.ask({ op: 'GET_ALL' }), { code: 'ERR_NO_NODES' });

  t.deepEqual(await broker.stop(), { code: 0, signal: null });
  t.false(existsSync(socketFile), 'the JSON endpoint socket file is removed on exit');
});

test('wrong gateway flags are usage errors', async (t) => {
  const hostAlone = await runBin('run-broker', ['--endpoint', 'tcp://127.0.0.1:*', '--http-host', '0.0.0.0']);
  t.is(hostAlone.code, 2, hostAlone.stderr);
  t.regex(hostAlone.stderr, /--http/);
  const badPort = await runBin('run-broker', ['--endpoint', 'tcp://127.0.0.1:*', '--http', '70000']);
  t.is(badPort.code, 2, badPort.stderr);
  const badEndpoint = await runBin('run-broker', ['--endpoint', 'tcp://127.0.0.1:*', '--json-endpoint', 'localhost:5560']);
  t.not(badEndpoint.code, 0);
  t.regex(badEndpoint.stderr, /ERR_INVALID_OPTION.*--json-endpoint/);
});

test('an HTTP port already in use makes run-broker fail at once, naming it', async (t) => {
  const first = await startBroker({ args: ['--http', '0'] });
  t.teardown(() => first.stop());
  const port = new URL(first.readyLine.http!).port;
  const second = await runBin('run-broker', ['--endpoint', 'tcp://127.0.0.1:*', '--http', port], { timeoutMs: 20_000 });
  t.not(second.code, 0);
  t.regex(second.stderr, /EADDRINUSE/);
});

test('under CURVE the gateways reach the broker with its own key pair', async (t) => {
  const dir = await tempDir(t);
  const [broker, node] = await Promise.all([keygen(dir, 'broker'), keygen(dir, 'node')]);
  const allowed = join(dir, 'allowed-keys');
  await writeFile(allowed, `${node.publicKey}\n`);
  const cluster = await startCluster({
    nodes: 1,
    brokerArgs: [
      '--curve-secret-file',
      broker.secretKeyFile,
      '--allowed-keys',
      allowed,
      '--http',
      '0',
      '--json-endpoint',
      'tcp://127.0.0.1:*',
    ],
    nodeArgs: ['--curve-key-file', node.secretKeyFile, '--broker-key-file', broker.publicKeyFile],
    // The readiness probe connects as the node key, which is on the list.
    clientOptions: { curve: { serverKey: broker.publicKey, publicKey: node.publicKey, secretKey: await secretOf(node.secretKeyFile) } },
  });
  t.teardown(() => cluster.stop());
  const base = cluster.broker.readyLine.http!;
  t.is((await request(base + keyPath('secure/=k'), { method: 'PUT', body: 'v' })).status, 200);
  t.is((await request(base + keyPath('secure/=k'))).body.toString(), 'v');
  const req = new JsonRequester(cluster.broker.readyLine.json!);
  t.teardown(() => req.close());
  t.deepEqual(await req.ask({ op: 'GET_ONE', key: 'secure/=k' }), { key: 'secure/=k', value: 'v' });
  t.regex(cluster.broker.stderr, /ask for no key/);
});

async function secretOf(keyFile: string): Promise<string> {
  return /^secret-key: (\S{40})$/m.exec(await readFile(keyFile, 'utf8'))![1]!;
}
