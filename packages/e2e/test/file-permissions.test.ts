import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { keygen, runBin, startBroker, startNode } from '@brainer/test-utils';
import { tempDir } from '../src/temp-dir.js';

// Issue 15, rows 4 and 5: data files and key files other local users could read or change.
const NOBODY = 65534;
const hasRunuser = existsSync('/usr/sbin/runuser') && process.getuid?.() === 0;
const asOtherUser = hasRunuser ? test : test.skip;
if (!hasRunuser) console.warn('SKIPPED: the other-user tests need root and /usr/sbin/runuser');

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

asOtherUser('a data directory is 0700 and its files 0600 under umask 022, and another user cannot read the log', async (t) => {
  const parent = tempDir(t);
  await chmod(parent, 0o755);
  const dataDir = join(parent, 'data');
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const node = await startNode(broker.endpoint, { id: 'perm1', dataDir });
  t.teardown(() => node.stop());
  t.is(await runBin('brainer-cli', ['set', 'card', '4111', '--broker', broker.endpoint]).then((r) => r.code), 0);
  t.is(await modeOf(dataDir), 0o700);
  const files = await readdir(dataDir);
  t.true(files.includes('brainer.log'), files.join(' '));
  for (const file of files) t.is(await modeOf(join(dataDir, file)), 0o600, file);
  const head = await promisify(execFile)('runuser', ['-u', 'nobody', '--', 'head', join(dataDir, 'brainer.log')]).then(
    () => 'read',
    (error: { stderr?: string }) => error.stderr ?? '',
  );
  t.regex(head, /Permission denied/);
});

test('an existing data directory and files that others may read are tightened, with a warning', async (t) => {
  const dataDir = join(tempDir(t), 'data');
  await mkdir(dataDir);
  await chmod(dataDir, 0o755);
  await writeFile(join(dataDir, 'node-id'), 'perm2\n', { mode: 0o644 });
  const broker = await startBroker();
  t.teardown(() => broker.stop());
  const node = await startNode(broker.endpoint, { dataDir });
  t.teardown(() => node.stop());
  t.is(node.id, 'perm2');
  t.is(await modeOf(dataDir), 0o700);
  t.is(await modeOf(join(dataDir, 'node-id')), 0o600);
  t.regex(node.stderr, /tightened the mode/);
});

test('a secret key file others may read, or that another user owns, stops the broker with how to fix it', async (t) => {
  const dir = tempDir(t);
  const broker = await keygen(dir, 'broker');
  const allowed = join(dir, 'allowed-keys');
  await writeFile(allowed, `${(await keygen(dir, 'node')).publicKey}\n`);
  const start = () =>
    runBin('run-broker', ['--endpoint', 'tcp://127.0.0.1:*', '--curve-secret-file', broker.secretKeyFile, '--allowed-keys', allowed]);
  for (const mode of [0o644, 0o666]) {
    await chmod(broker.secretKeyFile, mode);
    const result = await start();
    t.is(result.code, 1);
    t.regex(result.stderr, new RegExp(`ERR_UNSAFE_FILE.*mode ${mode.toString(8)}.*chmod 600 ${broker.secretKeyFile}`));
  }
  await chmod(broker.secretKeyFile, 0o600);
  await chown(broker.secretKeyFile, NOBODY, NOBODY);
  const foreign = await start();
  t.is(foreign.code, 1);
  t.regex(foreign.stderr, /ERR_UNSAFE_FILE.*belongs to another user \(uid 65534\).*chown/);
});

test('an allowlist others may write, or owned by another user, stops the broker; a node refuses a loose key file too', async (t) => {
  const dir = tempDir(t);
  const broker = await keygen(dir, 'broker');
  const node = await keygen(dir, 'node');
  const allowed = join(dir, 'allowed-keys');
  await writeFile(allowed, `${node.publicKey}\n`);
  await chmod(allowed, 0o666);
  const args = ['--endpoint', 'tcp://127.0.0.1:*', '--curve-secret-file', broker.secretKeyFile, '--allowed-keys', allowed];
  const loose = await runBin('run-broker', args);
  t.is(loose.code, 1);
  t.regex(loose.stderr, /ERR_UNSAFE_FILE.*writable by others.*chmod go-w/);
  await chmod(allowed, 0o644);
  await chown(allowed, NOBODY, NOBODY);
  const foreign = await runBin('run-broker', args);
  t.is(foreign.code, 1);
  t.regex(foreign.stderr, /ERR_UNSAFE_FILE.*uid 65534/);

  await chmod(node.secretKeyFile, 0o640);
  const nodeRun = await runBin('run-node', [
    '--broker',
    'tcp://127.0.0.1:9',
    '--curve-key-file',
    node.secretKeyFile,
    '--broker-key-file',
    broker.publicKeyFile,
  ]);
  t.is(nodeRun.code, 1);
  t.regex(nodeRun.stderr, /ERR_UNSAFE_FILE.*chmod 600/);
});
