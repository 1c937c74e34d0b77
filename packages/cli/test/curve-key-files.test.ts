import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { curvePublicKeyOf } from '@brainer/protocol';
import {
  formatKeyPairFile,
  formatPublicKeyFile,
  parseKeyList,
  parseKeyPairFile,
  readKeyPairFile,
  readPublicKeyFile,
  writeKeyFiles,
} from '../src/index.js';

// The client and server key pairs of the zmq_curve(7) manual page.
const CLIENT = { publicKey: 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID', secretKey: 'D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs' };
const SERVER = { publicKey: 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7', secretKey: 'JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6' };

test('a key list takes one key a line, with # comment lines, trailing comments and blank lines', (t) => {
  const text = `# nodes\n${CLIENT.publicKey}\n\n   ${SERVER.publicKey}   # the server, indented\r\n#${'-'.repeat(39)}\n`;
  t.deepEqual(parseKeyList(text, '--allowed-keys', 'keys.txt'), [CLIENT.publicKey, SERVER.publicKey]);
  t.deepEqual(parseKeyList('', '--allowed-keys', 'empty'), []);
});

const BAD_LISTS: [string, string, number][] = [
  ['a short key', `${CLIENT.publicKey}\n${SERVER.publicKey.slice(1)}\n`, 2],
  ['a key with a space in it', `${CLIENT.publicKey.slice(0, 20)} ${CLIENT.publicKey.slice(20)}\n`, 1],
  ['words after the key that are not a comment', `${CLIENT.publicKey} alice\n`, 1],
  ['a secret key file', formatKeyPairFile('x', CLIENT), 2],
];

for (const [name, text, line] of BAD_LISTS) {
  test(`a key list refuses ${name}, naming the flag, the file and the line`, (t) => {
    const error = t.throws(() => parseKeyList(text, '--allowed-keys', 'keys.txt'), { code: 'ERR_INVALID_OPTION' });
    t.regex(error!.message, new RegExp(`"--allowed-keys" keys.txt line ${line}:`));
  });
}

test('a public key file from formatPublicKeyFile reads back as a one-key list', (t) => {
  t.deepEqual(parseKeyList(formatPublicKeyFile('alice', CLIENT.publicKey), '--broker-key-file', 'alice.pub'), [CLIENT.publicKey]);
});

test('a key pair file reads back; without its public-key line the public key is derived', (t) => {
  t.deepEqual(parseKeyPairFile(formatKeyPairFile('c', CLIENT), '--curve-key-file', 'c.key'), CLIENT);
  t.deepEqual(parseKeyPairFile(`# only the secret\nsecret-key: ${SERVER.secretKey}\n`, '--curve-key-file', 's.key'), SERVER);
});

const BAD_PAIRS: [string, string, RegExp][] = [
  ['a public key file', formatPublicKeyFile('c', CLIENT.publicKey), /line 3 is a bare public key/],
  ['a line it does not know', `secret-key: ${CLIENT.secretKey}\nprivate-key: x\n`, /line 2: expected one "public-key: K"/],
  ['no secret key', `public-key: ${CLIENT.publicKey}\n`, /no "secret-key:" line/],
  [
    'a public key of another pair',
    `public-key: ${SERVER.publicKey}\nsecret-key: ${CLIENT.secretKey}\n`,
    /not the public key of secret-key/,
  ],
  ['a malformed secret key', `secret-key: ${CLIENT.secretKey.slice(1)}\n`, /not a Z85 CURVE key/],
  ['two secret keys', `secret-key: ${CLIENT.secretKey}\nsecret-key: ${SERVER.secretKey}\n`, /line 2/],
];

for (const [name, text, message] of BAD_PAIRS) {
  test(`a key pair file refuses ${name}`, (t) => {
    const error = t.throws(() => parseKeyPairFile(text, '--curve-key-file', 'x.key'), { code: 'ERR_INVALID_OPTION' });
    t.regex(error!.message, /"--curve-key-file" x\.key/);
    t.regex(error!.message, message);
    t.false(error!.message.includes(CLIENT.secretKey), 'the secret key is never echoed');
  });
}

test('writeKeyFiles writes NAME.key with mode 0600 and NAME.pub, refuses to replace them, and replaces them with force', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'keys');
  const files = await writeKeyFiles(out, 'client', CLIENT, false);
  t.is(files.secretKeyFile, join(out, 'client.key'));
  t.is(files.publicKeyFile, join(out, 'client.pub'));
  t.is((await stat(out)).mode & 0o777, 0o700);
  t.is((await stat(files.secretKeyFile)).mode & 0o777, 0o600);
  t.deepEqual(await readKeyPairFile(files.secretKeyFile, '--curve-key-file'), CLIENT);
  t.is(await readPublicKeyFile(files.publicKeyFile, '--broker-key-file'), CLIENT.publicKey);

  await t.throwsAsync(writeKeyFiles(out, 'client', SERVER, false), { code: 'EEXIST' });
  t.deepEqual(await readKeyPairFile(files.secretKeyFile, '--curve-key-file'), CLIENT, 'left alone');
  await writeKeyFiles(out, 'client', SERVER, true);
  t.deepEqual(await readKeyPairFile(files.secretKeyFile, '--curve-key-file'), SERVER);
  t.is((await stat(files.secretKeyFile)).mode & 0o777, 0o600);
  t.is(curvePublicKeyOf(SERVER.secretKey), (await readFile(files.publicKeyFile, 'utf8')).split('\n')[2]);
});

test('readKeyPairFile refuses a key pair file that others may read, and says how to fix it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'loose.key');
  await writeFile(path, formatKeyPairFile('loose', CLIENT));
  for (const mode of [0o644, 0o640, 0o666]) {
    await chmod(path, mode);
    await t.throwsAsync(readKeyPairFile(path, '--curve-key-file'), {
      code: 'ERR_UNSAFE_FILE',
      message: new RegExp(`readable by others.*mode ${mode.toString(8)}.*chmod 600 ${path}`),
    });
  }
  await chmod(path, 0o600);
  t.deepEqual(await readKeyPairFile(path, '--curve-key-file'), CLIENT);
});

test('readPublicKeyFile wants exactly one key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'two.pub');
  await writeFile(path, `${CLIENT.publicKey}\n${SERVER.publicKey}\n`);
  await t.throwsAsync(readPublicKeyFile(path, '--broker-key-file'), {
    code: 'ERR_INVALID_OPTION',
    message: /exactly one public key, but holds 2/,
  });
});
