import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runBin, runCli, startStandaloneNode } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { makeStaleSocket } from './stale-socket.js';

/** A loopback TCP port that refuses connections: one just bound and closed again. */
async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('an unknown command', async (t) => {
  assertCliError(t, await runCli(['sett', 'k', 'v']), { code: 'ERR_USAGE', exit: 2, includes: 'unknown command "sett"' });
});

test('a missing argument', async (t) => {
  assertCliError(t, await runCli(['get']), { code: 'ERR_USAGE', exit: 2, includes: 'KEY' });
  assertCliError(t, await runCli(['set', 'k']), { code: 'ERR_USAGE', exit: 2, includes: 'VALUE' });
  assertCliError(t, await runCli(['del']), { code: 'ERR_USAGE', exit: 2, includes: 'KEY' });
});

test('an unexpected argument, an unknown flag, and a bad flag value', async (t) => {
  assertCliError(t, await runCli(['get', 'a', 'b']), { code: 'ERR_USAGE', exit: 2 });
  assertCliError(t, await runCli(['get', 'k', '--bogus']), { code: 'ERR_USAGE', exit: 2, includes: '--bogus' });
  assertCliError(t, await runCli(['get', 'k', '--timeout', 'abc']), { code: 'ERR_USAGE', exit: 2, includes: '--timeout' });
  assertCliError(t, await runCli(['set', 'k', 'v', '--wait', 'sometimes']), { code: 'ERR_USAGE', exit: 2, includes: 'sometimes' });
});

test('a malformed endpoint, as a flag, as the first argument and in BRAINER_BROKER', async (t) => {
  const expected = { code: 'ERR_INVALID_OPTION', exit: 2, includes: 'nope' };
  assertCliError(t, await runCli(['get', 'k', '--broker', 'nope']), expected);
  assertCliError(t, await runCli(['nope://x', 'get', 'k']), { ...expected, includes: 'nope://x' });
  assertCliError(t, await runCli(['get', 'k'], { env: { BRAINER_BROKER: 'nope' } }), expected);
  assertCliError(t, await runBin('run-broker', ['--endpoint', 'nope']), expected);
  assertCliError(t, await runBin('run-node', ['--broker', 'nope']), expected);
  assertCliError(t, await runBin('run-node', ['--node-endpoint', 'tcp://127.0.0.1']), { ...expected, includes: 'tcp://127.0.0.1' });
});

test('keys with a pattern that cannot compile gets ERR_BAD_PATTERN', async (t) => {
  const node = await startStandaloneNode();
  t.teardown(() => node.stop());
  assertCliError(t, await runCli(['keys', '[', '--node', node.endpoint]), { code: 'ERR_BAD_PATTERN', exit: 1, includes: '"["' });
  assertCliError(t, await runCli(['keys', '[z-a]', '--node', node.endpoint]), { code: 'ERR_BAD_PATTERN', exit: 1 });
});

test('--debug adds the stack trace', async (t) => {
  const result = await runCli(['get', 'k', '--broker', 'nope', '--debug']);
  t.is(result.code, 2);
  t.true(result.stderr.startsWith('Error [ERR_INVALID_OPTION]'), result.stderr);
  t.regex(result.stderr, /^\s+at /m);
});

test('run-broker refuses an ipc endpoint where a live process listens', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'busy.sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  assertCliError(t, await runBin('run-broker', ['--endpoint', `ipc://${path}`]), { code: 'EADDRINUSE', exit: 1, includes: path });
});

test('a broker endpoint where nothing listens fails at once with ERR_UNREACHABLE naming it, not after --timeout', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const stale = join(dir, 'stale.sock');
  await makeStaleSocket(stale);
  const refusedPort = await closedTcpPort();
  // A 60 s timeout: each must fail long before it, whatever the load on the machine.
  for (const endpoint of [`ipc://${join(dir, 'nobody.sock')}`, `ipc://${stale}`, `tcp://127.0.0.1:${refusedPort}`]) {
    const started = Date.now();
    const result = await runCli(['get', 'k', '--broker', endpoint, '--timeout', '60000']);
    assertCliError(t, result, { code: 'ERR_UNREACHABLE', exit: 1, includes: `cannot reach the broker at ${endpoint}` });
    t.true(Date.now() - started < 30_000, `${endpoint} took ${Date.now() - started} ms`);
  }
  const endpoint = `ipc://${join(dir, 'nobody.sock')}`;
  assertCliError(t, await runCli([endpoint, 'set', 'k', 'v', '--timeout', '60000']), {
    code: 'ERR_UNREACHABLE',
    exit: 1,
    includes: endpoint,
  });
  const json = await runCli(['get', 'k', '--broker', endpoint, '--json']);
  t.is(json.code, 1);
  t.is(json.stdout, '');
  const error = (JSON.parse(json.stderr) as { error: { code: string; message: string } }).error;
  t.is(error.code, 'ERR_UNREACHABLE');
  t.true(error.message.includes(endpoint), error.message);
});

test('every bin answers --help', async (t) => {
  for (const [bin, text] of [
    ['brainer-cli', 'COMMANDS'],
    ['run-broker', '--heartbeat-ms'],
    ['run-node', '--node-endpoint'],
  ] as const) {
    const result = await runBin(bin, ['--help']);
    t.is(result.code, 0, result.stderr);
    t.true(result.stdout.includes(text), result.stdout);
  }
});

test('run-node: persistence flags need --data-dir, and a data directory in use is refused', async (t) => {
  assertCliError(t, await runBin('run-node', ['--fsync', 'always']), { code: 'ERR_USAGE', exit: 2, includes: '--fsync needs --data-dir' });
  assertCliError(t, await runBin('run-node', ['--data-dir', '/tmp', '--fsync', 'sometimes']), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: 'sometimes',
  });
  const dir = await mkdtemp(join(tmpdir(), 'brainer-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // The test runner is alive, so its pid holds the lock.
  await writeFile(join(dir, 'LOCK'), String(process.pid));
  assertCliError(t, await runBin('run-node', ['--data-dir', dir]), { code: 'ERR_INVALID_OPTION', exit: 2, includes: 'in use by process' });
});
