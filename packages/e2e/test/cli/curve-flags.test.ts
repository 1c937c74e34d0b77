import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runBin, runCli } from '@brainer/test-utils';
import { writeKeyFiles } from '@brainer/cli';
import { assertCliError } from './assert-cli-error.js';

const PAIR = { publicKey: 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID', secretKey: 'D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs' };
const TCP = ['--endpoint', 'tcp://127.0.0.1:*'];

async function keyFiles(t: { teardown(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-flags-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const files = await writeKeyFiles(dir, 'k', PAIR, false);
  const empty = join(dir, 'empty');
  await writeFile(empty, '# nobody\n');
  return { ...files, empty };
}

test('run-broker: --curve-secret-file and --allowed-keys go together, and the files must hold what they should', async (t) => {
  const files = await keyFiles(t);
  assertCliError(t, await runBin('run-broker', [...TCP, '--allowed-keys', files.publicKeyFile]), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: '--allowed-keys needs --curve-secret-file',
  });
  assertCliError(t, await runBin('run-broker', [...TCP, '--curve-secret-file', files.secretKeyFile]), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: '--curve-secret-file needs --allowed-keys',
  });
  assertCliError(
    t,
    await runBin('run-broker', [...TCP, '--curve-secret-file', files.publicKeyFile, '--allowed-keys', files.publicKeyFile]),
    {
      code: 'ERR_INVALID_OPTION',
      exit: 2,
      includes: 'is a bare public key',
    },
  );
  assertCliError(t, await runBin('run-broker', [...TCP, '--curve-secret-file', files.secretKeyFile, '--allowed-keys', files.empty]), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: 'lists no key',
  });
  assertCliError(
    t,
    await runBin('run-broker', [...TCP, '--curve-secret-file', files.secretKeyFile, '--allowed-keys', files.secretKeyFile]),
    {
      code: 'ERR_INVALID_OPTION',
      exit: 2,
      includes: 'line 2',
    },
  );
  assertCliError(t, await runBin('run-broker', [...TCP, '--ipc-mode', '999']), {
    code: 'ERR_INVALID_OPTION',
    exit: 2,
    includes: '--ipc-mode',
  });
});

test('run-node and the client commands: the broker key and the key pair go together', async (t) => {
  const files = await keyFiles(t);
  const usage = (includes: string) => ({ code: 'ERR_USAGE', exit: 2, includes });
  assertCliError(t, await runBin('run-node', ['--curve-key-file', files.secretKeyFile]), usage('--curve-key-file needs --broker-key'));
  assertCliError(t, await runBin('run-node', ['--broker-key', PAIR.publicKey]), usage('--broker-key needs --curve-key-file'));
  assertCliError(t, await runBin('run-node', ['--allowed-keys', files.publicKeyFile]), usage('--allowed-keys needs --curve-key-file'));
  assertCliError(t, await runBin('run-node', ['--broker-key', 'short']), {
    code: 'ERR_INVALID_OPTION',
    exit: 2,
    includes: '"--broker-key"',
  });
  assertCliError(
    t,
    await runCli(['get', 'k', '--broker-key-file', files.publicKeyFile]),
    usage('--broker-key-file needs --curve-key-file'),
  );
  assertCliError(t, await runCli(['get', 'k', '--broker-key', PAIR.publicKey, '--broker-key-file', files.publicKeyFile]), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: '--broker-key',
  });
  assertCliError(t, await runCli(['keygen', '--name', '../escape']), usage('--name'));
});
