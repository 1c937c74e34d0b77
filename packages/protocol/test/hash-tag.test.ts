import test from 'ava';
import { hashTag, murmur3String, placementHash } from '../src/index.js';

const CASES: [key: string, hashed: string][] = [
  ['plain', 'plain'],
  ['{user:1}profile', 'user:1'],
  ['{user:1}', 'user:1'],
  ['a{b}c', 'b'],
  ['{a}{b}', 'a'],
  ['{{a}}', '{a'],
  ['{}x', '{}x'],
  ['x{}{y}', 'x{}{y}'],
  ['{', '{'],
  ['}{x', '}{x'],
  ['{open', '{open'],
  ['', ''],
  ['ключ{é}z', 'é'],
];

for (const [key, hashed] of CASES) {
  test(`${JSON.stringify(key)} is placed by ${JSON.stringify(hashed)}`, (t) => {
    t.is(hashTag(key), hashed);
    t.is(placementHash(key), murmur3String(hashed));
  });
}

test('murmur3String hashes a part of a string like the part alone', (t) => {
  for (const value of ['hello world', 'ключ и значение', 'x'.repeat(5000)]) {
    t.is(murmur3String(value, 9, 2, 7), murmur3String(value.slice(2, 7), 9));
    t.is(murmur3String(value, 0, 1), murmur3String(value.slice(1)));
  }
});
