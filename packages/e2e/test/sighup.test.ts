import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { keygen, runCli, startBroker, startNode, waitFor } from '@brainer/test-utils';
import { tempDir } from '../src/temp-dir.js';

// Issue 15, row 6: SIGHUP (a closed terminal, systemd's ExecReload) reloads; it never kills.

test('SIGHUP makes the broker reload its allowlist: a key added to the file gets in, and nothing stops', async (t) => {
  const dir = tempDir(t);
  const [broker, node, alice] = await Promise.all(['broker', 'node', 'alice'].map((name) => keygen(dir, name)));
  const allowed = join(dir, 'allowed-keys');
  await writeFile(allowed, `${node!.publicKey}\n`);
  const server = await startBroker({ args: ['--curve-secret-file', broker!.secretKeyFile, '--allowed-keys', allowed] });
  t.teardown(() => server.stop());
  const curveNode = ['--curve-key-file', node!.secretKeyFile, '--broker-key-file', broker!.publicKeyFile];
  const cacheNode = await startNode(server.endpoint, { id: 'hup1', args: [...curveNode, '--allowed-keys', allowed] });
  t.teardown(() => cacheNode.stop());
  const asAlice = (...args: string[]) =>
    runCli([
      ...args,
      '--broker',
      server.endpoint,
      '--curve-key-file',
      alice!.secretKeyFile,
      '--broker-key-file',
      broker!.publicKeyFile,
      '--timeout',
      '1500',
    ]);

  t.is((await asAlice('nodes')).code, 1, 'alice is not on the list yet');
  await writeFile(allowed, `${node!.publicKey}\n${alice!.publicKey}\n`);
  server.kill('SIGHUP');
  await waitFor(() => server.stderr.includes('SIGHUP: reloaded'), { description: 'the reload logged' });
  t.regex(server.stderr, /SIGHUP: reloaded.*allowedKeys.*2/);
  await waitFor(async () => (await asAlice('set', 'k', 'v')).code === 0, { description: 'alice gets in' });
  t.is((await asAlice('get', 'k')).stdout.trim(), 'v');

  cacheNode.kill('SIGHUP');
  await waitFor(() => cacheNode.stderr.includes('SIGHUP: reloaded'), { description: 'the node reload logged' });
  t.false(server.hasExited);
  t.false(cacheNode.hasExited);
});

test('SIGHUP with nothing to reload is logged, and the broker and node go on serving', async (t) => {
  const server = await startBroker({ heartbeatMs: 100 });
  t.teardown(() => server.stop());
  const node = await startNode(server.endpoint, { id: 'hup2' });
  t.teardown(() => node.stop());
  server.kill('SIGHUP');
  node.kill('SIGHUP');
  await waitFor(() => server.stderr.includes('SIGHUP: nothing to reload') && node.stderr.includes('SIGHUP: nothing to reload'), {
    description: 'both logged the SIGHUP',
  });
  await waitFor(async () => (await runCli(['set', 'k', 'v', '--broker', server.endpoint])).code === 0, { description: 'a write' });
  t.is((await runCli(['get', 'k', '--broker', server.endpoint])).stdout.trim(), 'v');
  t.false(server.hasExited);
  t.false(node.hasExited);
});
