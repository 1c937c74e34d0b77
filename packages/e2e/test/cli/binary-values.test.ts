import { randomBytes } from 'node:crypto';
import test from 'ava';
import { runCliBytes } from './run-cli-bytes.js';
import { standaloneWithClient } from './standalone-with-client.js';

/** Undoes redis-cli's quoting: `"\xff\n"` back to its bytes. */
function unquote(text: string): Buffer {
  const simple: Record<string, number> = { '\\': 0x5c, '"': 0x22, n: 0x0a, r: 0x0d, t: 0x09, a: 0x07, b: 0x08 };
  const bytes: number[] = [];
  for (let i = 1; i < text.length - 1; i++) {
    if (text[i] !== '\\') bytes.push(text.charCodeAt(i));
    else if (text[i + 1] === 'x') {
      bytes.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else bytes.push(simple[text[++i]!]!);
  }
  return Buffer.from(bytes);
}

test('a 300,000-byte random value: --raw gives its bytes exactly, and text and JSON never mangle it', async (t) => {
  const { direct, client } = await standaloneWithClient(t);
  const value = randomBytes(300_000);
  value[0] = 0xff; // never valid UTF-8, whatever the draw
  await client.set('random', value);

  const raw = await runCliBytes([...direct, 'get', 'random', '--raw'], { slowReader: true });
  t.is(raw.code, 0, raw.stderr);
  t.is(raw.stdout.length, 300_000);
  t.true(raw.stdout.equals(value));

  const text = await runCliBytes([...direct, 'get', 'random'], { slowReader: true });
  t.is(text.code, 0, text.stderr);
  const printed = text.stdout.toString('latin1');
  t.true(printed.endsWith('"\n'));
  t.true(/^[\x20-\x7e]*\n$/.test(printed), 'escaped: printable ASCII only');
  t.true(unquote(printed.slice(0, -1)).equals(value));

  const json = await runCliBytes([...direct, 'get', 'random', '--json']);
  t.is(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout.toString()) as { key: string; value: { base64: string } };
  t.true(Buffer.from(parsed.value.base64, 'base64').equals(value));

  // Valid UTF-8 is printed as it is; --raw adds no newline.
  await client.set('text', 'héllo\n');
  t.is((await runCliBytes([...direct, 'get', 'text'])).stdout.toString(), 'héllo\n\n');
  t.is((await runCliBytes([...direct, 'get', 'text', '--raw'])).stdout.toString(), 'héllo\n');
  const missing = await runCliBytes([...direct, 'get', 'nothing', '--raw']);
  t.is(missing.code, 1);
  t.is(missing.stdout.length, 0);
});
