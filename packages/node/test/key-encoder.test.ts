import test from 'ava';
import { KeyEncoder } from '../src/key-encoder.js';

const encoded = (encoder: KeyEncoder, key: string): Buffer => {
  const length = encoder.encode(key);
  return Buffer.from(encoder.bytes.subarray(0, length));
};

const keys: [string, string][] = [
  ['empty', ''],
  ['ASCII', 'user:1234'],
  ['two-byte chars', 'clé-ключ'],
  ['three-byte chars', '鍵と値'],
  ['a surrogate pair', 'key-🔑'],
  ['non-ASCII after the first char', 'a'.repeat(100) + 'é'],
  ['long ASCII', 'k'.repeat(1000)],
  ['long non-ASCII', '鍵'.repeat(5000)],
  ['64 KiB of ASCII', 'x'.repeat(64 * 1024)],
  ['64 KiB of UTF-8 in 3-byte chars', '値'.repeat(Math.floor((64 * 1024) / 3))],
];

for (const [name, key] of keys) {
  test(`encodes ${name} as its UTF-8`, (t) => {
    const encoder = new KeyEncoder();
    t.deepEqual(encoded(encoder, key), Buffer.from(key, 'utf8'));
  });
}

test('one encoder serves keys of any length in turn', (t) => {
  const encoder = new KeyEncoder();
  for (const [, key] of [...keys, ...keys.slice().reverse()]) t.deepEqual(encoded(encoder, key), Buffer.from(key, 'utf8'));
});

test('a lone surrogate encodes as U+FFFD, as the wire would carry it', (t) => {
  const encoder = new KeyEncoder();
  t.deepEqual(encoded(encoder, 'a\ud800b'), Buffer.from('a\ufffdb', 'utf8'));
});
