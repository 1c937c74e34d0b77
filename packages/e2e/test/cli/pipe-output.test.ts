import test from 'ava';
import { runCliBytes } from './run-cli-bytes.js';
import { standaloneWithClient } from './standalone-with-client.js';

// Writes to a pipe are asynchronous in Node: a CLI that exits as soon as its command returns cuts
// its output at the pipe's 64 KiB buffer. These read it slowly, as `| wc -c` on a busy host may.

test('get, keys and keys --json through a slow pipe arrive whole', async (t) => {
  const { direct, client } = await standaloneWithClient(t);
  const big = `${'a'.repeat(400_000)}z`;
  await client.set('big', big);
  const keyCount = 20_000;
  const keys = Array.from({ length: keyCount }, (_, i) => `key:${String(i).padStart(6, '0')}`);
  for (let i = 0; i < keys.length; i += 1000) await Promise.all(keys.slice(i, i + 1000).map((key) => client.set(key, 'v')));

  const get = await runCliBytes([...direct, 'get', 'big'], { slowReader: true });
  t.is(get.code, 0, get.stderr);
  t.is(get.stdout.length, 400_002);
  t.is(get.stdout.toString(), `${big}\n`);

  const lines = await runCliBytes([...direct, 'keys', 'key:*'], { slowReader: true });
  t.is(lines.code, 0, lines.stderr);
  t.deepEqual(lines.stdout.toString().split('\n').slice(0, -1).sort(), keys);

  const json = await runCliBytes([...direct, 'keys', 'key:*', '--json'], { slowReader: true });
  t.is(json.code, 0, json.stderr);
  t.deepEqual((JSON.parse(json.stdout.toString()) as string[]).sort(), keys);
});

test('a reader that stops early ends the command quietly', async (t) => {
  const { direct, client } = await standaloneWithClient(t);
  await client.set('big', 'b'.repeat(1_000_000));
  const result = await runCliBytes([...direct, 'get', 'big'], { closeStdoutEarly: true });
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
});
