import test from 'ava';
import { runBin, runCli, startCluster } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';
import { runCliBytes } from './run-cli-bytes.js';

test('ping, exists, mset and mget, with command names in any case', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const broker = ['--broker', cluster.endpoint];

  const ping = await runCli(['PING', ...broker]);
  t.is(ping.stdout, 'PONG\n', ping.stderr);
  t.like(JSON.parse((await runCli(['ping', ...broker, '--json'])).stdout) as object, { pong: true });

  const mset = await runCli([cluster.endpoint, 'MSet', 'a', '1', 'b', 'two words', 'c', '3']);
  t.is(mset.stdout, 'OK\n', mset.stderr);
  t.is((await runCli(['mget', 'a', 'b', 'missing', 'c', ...broker])).stdout, '1\ntwo words\n(nil)\n3\n');
  t.deepEqual(JSON.parse((await runCli(['MGET', 'a', 'missing', ...broker, '--json'])).stdout), { a: '1', missing: null });
  t.is((await runCli(['GET', 'b', ...broker])).stdout, 'two words\n');
  t.is((await runCli(['exists', 'a', 'missing', 'c', ...broker])).stdout, '2\n');
  t.is((await runCli(['Exists', 'missing', ...broker])).stdout, '0\n');

  assertCliError(t, await runCli(['mset', 'a', '1', 'b', ...broker]), { code: 'ERR_USAGE', exit: 2, includes: 'b has no value' });
  // Repeated words keep their places: equal values, a key asked twice, keys out of order.
  t.is((await runCli(['mset', 'r1', 'same', 'r2', 'same', 'r3', 'same', ...broker])).stdout, 'OK\n');
  t.is((await runCli(['mget', 'r3', 'r1', 'r2', 'r1', 'same', ...broker])).stdout, 'same\nsame\nsame\nsame\n(nil)\n');
  t.is((await runCli(['exists', 'r1', 'r1', 'same', ...broker])).stdout, '2\n');
  t.is((await runCli(['mset', ...broker, '--', '-dash', '-v'])).stdout, 'OK\n');
  t.is((await runCli(['mget', ...broker, '--', '-dash'])).stdout, '-v\n');
  // The client's own refusal names no server.
  const emptyKey = await runCli(['exists', '', ...broker]);
  assertCliError(t, emptyKey, { code: 'ERR_BAD_KEY', exit: 1, includes: 'key must not be empty' });
  t.false(emptyKey.stderr.includes('(from '), emptyKey.stderr);
  // A server's answer names who gave it.
  assertCliError(t, await runCli(['keys', '[', ...broker]), {
    code: 'ERR_BAD_PATTERN',
    exit: 1,
    includes: `(from the broker at ${cluster.endpoint})`,
  });
  // What mset wrote, every node holds.
  t.true((await (await cluster.client()).verify()).ok);
});

test('a mistyped command gets "did you mean"', async (t) => {
  assertCliError(t, await runCli(['exsits', 'k']), {
    code: 'ERR_USAGE',
    exit: 2,
    includes: 'unknown command "exsits" (did you mean exists?)',
  });
  assertCliError(t, await runCli(['MGTE', 'k']), { code: 'ERR_USAGE', exit: 2, includes: 'did you mean mget' });
  assertCliError(t, await runCli(['zzzz']), { code: 'ERR_USAGE', exit: 2, includes: 'unknown command "zzzz"; see' });
});

test('with no command, brainer-cli ENDPOINT runs the lines of standard input as the interactive prompt does', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const lines = [
    'PING',
    'set greeting "hello world"',
    'Get greeting',
    'MSET x 1 y 2',
    'mget x y z',
    'exists x z',
    'DEL x',
    'sett k v',
    'get',
    'get x',
  ];
  const result = await runCliBytes([cluster.endpoint], { stdin: `${lines.join('\n')}\n` });
  t.is(
    result.stdout.toString(),
    [
      'PONG',
      'OK',
      'hello world',
      'OK',
      '1',
      '2',
      '(nil)',
      '1',
      '1',
      "(error) [ERR_UNKNOWN_OP]: unknown command 'sett'; did you mean set or get or mset?",
      '(error) [ERR_BAD_REQUEST]: wrong number of arguments: GET key',
      '(nil)',
      '',
    ].join('\n'),
    result.stderr,
  );
  t.is(result.code, 1, 'a line failed');
  t.is(result.stderr, '');
  // The endpoint as a flag, QUIT, and a run with no failed line.
  const quit = await runCliBytes(['--broker', cluster.endpoint], { stdin: 'get greeting\nquit\nget y\n' });
  t.is(quit.stdout.toString(), 'hello world\n');
  t.is(quit.code, 0, quit.stderr);
});

test('brainer-cli ENDPOINT with nothing listening names no flag the user never typed', async (t) => {
  const result = await runCliBytes(['tcp://127.0.0.1:1'], { stdin: '' });
  t.is(result.code, 1);
  t.regex(result.stderr, /^Error \[ERR_UNREACHABLE\]: cannot reach the broker at tcp:\/\/127\.0\.0\.1:1/);
  t.notRegex(result.stderr, /--broker|missing command/);
});

test('run-broker and run-node answer --version, and their help shows their own names', async (t) => {
  for (const bin of ['run-broker', 'run-node'] as const) {
    const version = await runBin(bin, ['--version']);
    t.is(version.code, 0, version.stderr);
    t.regex(version.stdout, new RegExp(`^${bin} @brainer/cli/\\d+\\.\\d+\\.\\d+ `));
    const help = await runBin(bin, ['--help']);
    t.is(help.code, 0, help.stderr);
    t.regex(help.stdout, new RegExp(`USAGE\\n  \\$ ${bin} \\[--debug\\]`));
    t.notRegex(help.stdout, /\$ brainer-cli/);
  }
});

test('ttl, pttl, expire, pexpire and flushall, as redis-cli has them; flushall asks first', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const broker = ['--broker', cluster.endpoint];
  const out = async (args: string[]): Promise<string> => {
    const result = await runCli([...args, ...broker]);
    t.is(result.code, 0, result.stderr);
    return result.stdout;
  };

  await out(['mset', 'a', '1', 'b', '2']);
  t.is(await out(['ttl', 'a']), '-1\n');
  t.is(await out(['TTL', 'missing']), '-2\n');
  t.is(await out(['expire', 'a', '100']), '1\n');
  // Rounded to the second, as Redis does. Each command is a process of its own, and on a loaded machine
  // one can take seconds to start, so only the bounds are sure.
  const ttl = Number(await out(['ttl', 'a']));
  t.true(ttl > 80 && ttl <= 100, String(ttl));
  t.is(await out(['expire', 'missing', '100']), '0\n');
  t.is(await out(['pexpire', 'b', '90000']), '1\n');
  const pttl = Number(await out(['pttl', 'b']));
  t.true(pttl > 80_000 && pttl <= 90_000, String(pttl));
  t.like(JSON.parse(await out(['ttl', 'a', '--json'])), { key: 'a' });
  t.is(await out(['expire', 'b', '-1']), '1\n', 'a TTL already over deletes the key');
  t.is(await out(['exists', 'b']), '0\n');
  assertCliError(t, await runCli(['expire', 'a', 'soon', ...broker]), { code: 'ERR_USAGE', exit: 2 });
  assertCliError(t, await runCli(['expire', 'a', ...broker]), { code: 'ERR_USAGE', exit: 2 });

  // Standard input that is not a terminal cannot answer the question: --yes is needed, and nothing is removed.
  assertCliError(t, await runCli(['flushall', ...broker]), { code: 'ERR_USAGE', exit: 2, includes: 'give --yes' });
  t.is(await out(['exists', 'a']), '1\n');
  t.is(await out(['flushall', '--yes']), 'OK\n');
  t.is(await out(['keys']), '');
  t.true((await (await cluster.client()).verify()).ok);

  // The prompt has them too.
  const prompt = await runCliBytes([cluster.endpoint], {
    stdin: ['set k v', 'TTL k', 'EXPIRE k 50', 'ttl k', 'pexpire k 70000', 'expire k x', 'FLUSHALL', 'get k', ''].join('\n'),
  });
  const lines = prompt.stdout.toString().split('\n');
  t.true(Number(lines[3]) > 40 && Number(lines[3]) <= 50, prompt.stdout.toString());
  lines[3] = '50';
  t.is(
    lines.join('\n'),
    ['OK', '-1', '1', '50', '1', '(error) [ERR_BAD_REQUEST]: EXPIRE takes a whole number, not x', 'OK', '(nil)', ''].join('\n'),
    prompt.stderr,
  );
});
