import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { claimIpcEndpoint, ipcPath, probeIpcPath, rememberIpcSocket } from '@brainer/cli';
import { makeStaleSocket } from './stale-socket.js';

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-ipc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('ipcPath takes the path out of ipc endpoints only', (t) => {
  t.is(ipcPath('ipc:///tmp/broker.sock'), '/tmp/broker.sock');
  t.is(ipcPath('tcp://127.0.0.1:5555'), undefined);
  t.is(ipcPath('ipc://*'), undefined);
});

test('a missing path is absent, and claiming it changes nothing', async (t) => {
  const path = join(await tempDir(t), 'none.sock');
  t.is(await probeIpcPath(path), 'absent');
  t.is(await claimIpcEndpoint(`ipc://${path}`), 'absent');
});

test('a socket with a live listener is refused with EADDRINUSE and left in place', async (t) => {
  const path = join(await tempDir(t), 'live.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  t.is(await probeIpcPath(path), 'live');
  const err = await t.throwsAsync(claimIpcEndpoint(`ipc://${path}`));
  t.is((err as NodeJS.ErrnoException).code, 'EADDRINUSE');
  t.true((await stat(path)).isSocket());
});

test('a stale socket file left by a killed process is removed', async (t) => {
  const path = join(await tempDir(t), 'stale.sock');
  await makeStaleSocket(path);
  t.is(await probeIpcPath(path), 'stale');
  t.is(await claimIpcEndpoint(`ipc://${path}`), 'removed-stale');
  t.is(await probeIpcPath(path), 'absent');
});

test('a regular file at the path is never replaced', async (t) => {
  const path = join(await tempDir(t), 'file.sock');
  await writeFile(path, 'precious');
  t.is(await probeIpcPath(path), 'not-a-socket');
  const err = await t.throwsAsync(claimIpcEndpoint(`ipc://${path}`));
  t.is((err as NodeJS.ErrnoException).code, 'EEXIST');
  t.true((await stat(path)).isFile());
});

test('tcp endpoints are not touched', async (t) => {
  t.is(await claimIpcEndpoint('tcp://127.0.0.1:*'), 'not-ipc');
});

test('rememberIpcSocket removes the socket it saw, but not one bound in its place since', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'mine.sock');
  await makeStaleSocket(path);
  const remove = await rememberIpcSocket(`ipc://${path}`);
  await remove();
  t.false(existsSync(path));

  await makeStaleSocket(path);
  const removeOld = await rememberIpcSocket(`ipc://${path}`);
  await rm(path);
  await makeStaleSocket(path); // another process's socket now
  await removeOld();
  t.true(existsSync(path));
});
