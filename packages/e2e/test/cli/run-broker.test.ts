import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli, startBroker } from '@brainer/test-utils';
import { makeStaleSocket } from './stale-socket.js';

test('run-broker prints one ready line with the real endpoint, and exits 0 on SIGTERM', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  t.is(broker.readyLine.role, 'broker');
  t.is(broker.readyLine.pid, broker.pid);
  t.regex(broker.endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  t.is(broker.stdout.trim().split('\n').length, 1, broker.stdout);

  const nodes = await runCli(['nodes', '--json', '--broker', broker.endpoint]);
  t.is(nodes.code, 0, nodes.stderr);
  t.deepEqual(JSON.parse(nodes.stdout), []);

  t.deepEqual(await broker.stop(), { code: 0, signal: null });
});

test('run-broker exits 0 on SIGINT', async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  broker.kill('SIGINT');
  t.deepEqual(await broker.exited, { code: 0, signal: null });
});

test('run-broker reuses an ipc endpoint whose socket file a killed broker left behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-broker-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const endpoint = `ipc://${join(dir, 'broker.sock')}`;
  await makeStaleSocket(join(dir, 'broker.sock'));

  const broker = await startBroker({ endpoint });
  t.teardown(() => broker.stop());
  t.is(broker.endpoint, endpoint);
  const nodes = await runCli(['nodes', '--json', '--broker', endpoint]);
  t.is(nodes.code, 0, nodes.stderr);

  // And a second broker on the same endpoint is refused while the first one serves.
  const second = await startBroker({ endpoint }).catch((err: Error) => err);
  t.true(second instanceof Error && second.message.includes('EADDRINUSE'), String(second));
  t.false(broker.hasExited);

  // A clean exit removes the socket file it bound.
  t.deepEqual(await broker.stop(), { code: 0, signal: null });
  t.false(existsSync(join(dir, 'broker.sock')));
});
