import { setTimeout as delay } from 'node:timers/promises';
import test from 'ava';
import { runCli } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { runCliBytes } from './run-cli-bytes.js';
import { standaloneWithClient } from './standalone-with-client.js';
import { tempFile } from '../../src/index.js';

const AWKWARD = Buffer.from('  leading and trailing blanks \r\nCRLF line\r\n\tand a final newline\n\n');

test('set stores standard input byte for byte: redirected, with -x, and from --value-file', async (t) => {
  const { direct, client } = await standaloneWithClient(t);

  const redirected = await runCliBytes([...direct, 'set', 'piped'], { stdin: AWKWARD });
  t.is(redirected.code, 0, redirected.stderr);
  t.is(redirected.stdout.toString(), 'OK\n');
  t.deepEqual(await client.getBuffer('piped'), AWKWARD);

  const withX = await runCliBytes([...direct, 'set', 'x', '-x'], { stdin: AWKWARD });
  t.is(withX.code, 0, withX.stderr);
  t.deepEqual(await client.getBuffer('x'), AWKWARD);
  const withStdin = await runCliBytes([...direct, 'set', 'stdin', '--stdin'], { stdin: '' });
  t.is(withStdin.code, 0, withStdin.stderr);
  t.deepEqual(await client.getBuffer('stdin'), Buffer.alloc(0));

  const file = tempFile(t, 'value.bin', AWKWARD);
  const fromFile = await runCliBytes([...direct, 'set', 'file', '--value-file', file]);
  t.is(fromFile.code, 0, fromFile.stderr);
  t.deepEqual(await client.getBuffer('file'), AWKWARD);
});

test('set waits for standard input however slowly it comes', async (t) => {
  const { direct, client } = await standaloneWithClient(t);
  const result = await runCliBytes([...direct, 'set', 'slow'], {
    stdin: async (stdin) => {
      // The pause is the point of the test: oclif gave up on standard input after 10 ms.
      await delay(1000);
      stdin.write('h');
      await delay(200);
      stdin.end('i\n');
    },
  });
  t.is(result.code, 0, result.stderr);
  t.is(await client.get('slow'), 'hi\n');
});

test('get and keys never read standard input', async (t) => {
  const { direct, client } = await standaloneWithClient(t);
  await client.set('a', '1');
  await client.set('b', '2');
  // Given standard input, oclif used to take it for the missing PATTERN; left open, to wait for it.
  const keys = await runCliBytes([...direct, 'keys'], { stdin: 'a\n' });
  t.is(keys.code, 0, keys.stderr);
  t.deepEqual(keys.stdout.toString().split('\n').sort(), ['', 'a', 'b']);
  const openStdin = await runCliBytes([...direct, 'keys', '--json'], { timeoutMs: 20_000 });
  t.deepEqual((JSON.parse(openStdin.stdout.toString()) as string[]).sort(), ['a', 'b']);
  const get = await runCliBytes([...direct, 'get', 'a']);
  t.is(get.stdout.toString(), '1\n');
});

test('wrong ways to give a value are usage errors', async (t) => {
  assertCliError(t, await runCli(['set', 'k', 'v', '-x', '--broker', 'tcp://127.0.0.1:1']), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: 'give the value once',
  });
  assertCliError(t, await runCli(['set', 'k', '--value-file', '/nonexistent/value.bin', '--broker', 'tcp://127.0.0.1:1']), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: '/nonexistent/value.bin',
  });
  // runCli's standard input is /dev/null: not a value, so VALUE is missing.
  assertCliError(t, await runCli(['set', 'k', '--broker', 'tcp://127.0.0.1:1']), { code: 'ERR_USAGE', exit: 2, includes: 'VALUE' });
});
