import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { Brainer } from '@brainer/client';
import { binPath, runBin, runCli, spawnProgramReady, spawnReady, waitFor } from '@brainer/test-utils';
import { tempDir } from '../src/temp-dir.js';

// Issue 15, rows 3 and 8: what another local user can do to the ipc endpoints. These run as root and
// play the other user with `runuser -u nobody`.
const NOBODY = 65534;
const hasRunuser = existsSync('/usr/sbin/runuser') && process.getuid?.() === 0;
const asOtherUser = hasRunuser ? test : test.skip;
if (!hasRunuser) console.warn('SKIPPED: the other-user tests need root and /usr/sbin/runuser');

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777;

/** A directory every user may create files in, as /tmp is (sticky, 1777). */
async function sharedDir(t: Parameters<typeof tempDir>[0]): Promise<string> {
  const dir = join(tempDir(t), 'shared');
  await mkdir(dir);
  await chmod(dir, 0o1777);
  await chmod(join(dir, '..'), 0o755);
  return dir;
}

test('with no endpoint given, broker, node and CLI meet in $XDG_RUNTIME_DIR/brainer, created mode 0700', async (t) => {
  const runtime = tempDir(t);
  const env = { XDG_RUNTIME_DIR: runtime };
  const broker = await spawnReady('run-broker', ['--heartbeat-ms', '100'], { env });
  t.teardown(() => broker.stop());
  const dir = join(runtime, 'brainer');
  t.is(broker.endpoint, `ipc://${dir}/broker.sock`);
  t.is(await modeOf(dir), 0o700);
  t.is(await modeOf(join(dir, 'broker.sock')), 0o600);
  const node = await spawnReady('run-node', ['--id', 'xdg1'], { env });
  t.teardown(() => node.stop());
  t.is(node.endpoint, `ipc://${dir}/node-xdg1.sock`);
  await waitFor(async () => (await runCli(['nodes', '--json'], { env })).stdout.includes('"ready"'), { description: 'the node ready' });
  t.is((await runCli(['set', 'k', 'v'], { env })).code, 0);
  t.is((await runCli(['get', 'k'], { env })).stdout.trim(), 'v');
  await node.stop();
  await broker.stop();
  t.false(existsSync(join(dir, 'broker.sock')), 'the socket file is removed at exit');
});

test('a private socket directory that another user made first is refused, naming it and saying what to do', async (t) => {
  const runtime = tempDir(t);
  await mkdir(join(runtime, 'brainer'), { mode: 0o700 });
  await chown(join(runtime, 'brainer'), NOBODY, NOBODY);
  const result = await runBin('run-broker', [], { env: { XDG_RUNTIME_DIR: runtime } });
  t.is(result.code, 1);
  t.regex(result.stderr, /ERR_UNSAFE_ENDPOINT.*brainer.*uid 65534.*remove it/);
});

asOtherUser('a client refuses a socket another user bound, unless told to allow it', async (t) => {
  const dir = await sharedDir(t);
  const endpoint = `ipc://${join(dir, 'broker.sock')}`;
  // The other user's "broker" listens in the shared directory, as a squatter of /tmp/broker.sock would.
  const squatter = await spawnProgramReady(
    { name: 'run-broker as nobody', command: 'runuser', leadingArgs: ['-u', 'nobody', '--', process.execPath, binPath('run-broker')] },
    ['--endpoint', endpoint, '--ipc-mode', '666'],
  );
  t.teardown(() => squatter.stop());
  t.is((await stat(join(dir, 'broker.sock'))).uid, NOBODY);

  const client = new Brainer(endpoint, { timeoutMs: 3000 });
  t.teardown(() => client.close());
  await t.throwsAsync(client.set('secret-key', 'card=4111'), { code: 'ERR_UNSAFE_ENDPOINT', message: /uid 65534.*allowForeignSocket/ });
  const refused = await runCli(['nodes', '--broker', endpoint]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /ERR_UNSAFE_ENDPOINT.*--allow-foreign-socket/);

  const trusting = new Brainer(endpoint, { timeoutMs: 5000, allowForeignSocket: true });
  t.teardown(() => trusting.close());
  await trusting.connect();
  t.is((await runCli(['nodes', '--broker', endpoint, '--allow-foreign-socket'])).code, 0);
});

asOtherUser('a node refuses to register with a broker socket another user bound', async (t) => {
  const dir = await sharedDir(t);
  const endpoint = `ipc://${join(dir, 'broker.sock')}`;
  const squatter = await spawnProgramReady(
    { name: 'run-broker as nobody', command: 'runuser', leadingArgs: ['-u', 'nobody', '--', process.execPath, binPath('run-broker')] },
    ['--endpoint', endpoint, '--ipc-mode', '666'],
  );
  t.teardown(() => squatter.stop());
  const result = await runBin('run-node', ['--broker', endpoint, '--node-endpoint', 'tcp://127.0.0.1:*']);
  t.is(result.code, 1);
  t.regex(result.stderr, /ERR_UNSAFE_ENDPOINT/);
});

asOtherUser('a user who may not open the socket gets ERR_ENDPOINT_ACCESS naming it, not a timeout', async (t) => {
  const dir = await sharedDir(t);
  const endpoint = `ipc://${join(dir, 'broker.sock')}`;
  const broker = await spawnReady('run-broker', ['--endpoint', endpoint]);
  t.teardown(() => broker.stop());
  const run = promisify(execFile);
  const error = await t.throwsAsync(
    run('runuser', ['-u', 'nobody', '--', process.execPath, binPath('brainer-cli'), 'nodes', '--broker', endpoint, '--timeout', '20000']),
  );
  const stderr = (error as { stderr?: string }).stderr ?? '';
  t.regex(stderr, new RegExp(`ERR_ENDPOINT_ACCESS.*${endpoint.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
});

test('binding in a missing directory names the endpoint, with a code', async (t) => {
  const endpoint = `ipc://${join(tempDir(t), 'missing', 'broker.sock')}`;
  const result = await runBin('run-broker', ['--endpoint', endpoint]);
  t.is(result.code, 1);
  t.true(result.stderr.includes(`[ERR_ENDPOINT_DIR_MISSING]: cannot bind ${endpoint}`), result.stderr);
});

test('a broker whose start fails after bind (its HTTP port taken) leaves no socket file behind', async (t) => {
  const dir = tempDir(t);
  const first = await spawnReady('run-broker', ['--endpoint', 'tcp://127.0.0.1:*', '--http', '0']);
  t.teardown(() => first.stop());
  const port = new URL(String(first.readyLine['http'])).port;
  const path = join(dir, 'broker.sock');
  const result = await runBin('run-broker', ['--endpoint', `ipc://${path}`, '--http', port]);
  t.is(result.code, 1, result.stderr);
  t.false(existsSync(path), 'the socket file is gone');
});
