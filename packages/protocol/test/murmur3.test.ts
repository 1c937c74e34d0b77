import test from 'ava';
import { murmur3, murmur3Lanes, murmur3String } from '../src/index.js';

// Expected values come from libmurmurhash (Debian's libmurmurhash-dev, lmmh_x86_32, the
// reference MurmurHash3_x86_32), and agree with the published vectors for '', 'hello' and the fox.
const VECTORS: [input: string | number[], seed: number, expected: number][] = [
  ['', 0, 0],
  ['', 1, 0x514e28b7],
  ['', 0xffffffff, 0x81f16f39],
  ['', 0x9747b28c, 0xebb6c228],
  ['a', 0, 0x3c2569b2],
  ['ab', 0, 0x9bbfd75f],
  ['abc', 0, 0xb3dd93fa],
  ['abcd', 0, 0x43ed676a],
  ['abcde', 0, 0xe89b9af6],
  ['a', 0x9747b28c, 0x7fa09ea6],
  ['ab', 0x9747b28c, 0x74875592],
  ['abc', 0x9747b28c, 0xc84a62dd],
  ['abcd', 0x9747b28c, 0xf0478627],
  ['hello', 0, 0x248bfa47],
  ['hello', 0x9747b28c, 0x5d7f56e8],
  ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
  ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
  // High bytes in the tail and in a block: catch sign-extension mistakes.
  [[0xff, 0xfe, 0xfd], 0, 0xd2bef2dc],
  [[0x80, 0x80, 0x80, 0x80, 0xff], 0, 0x9c940e94],
  [[0xff, 0xff, 0xff, 0xff], 0, 0x76293b50],
];

for (const [input, seed, expected] of VECTORS) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Uint8Array.from(input);
  test(`murmur3(${JSON.stringify(input)}, 0x${seed.toString(16)}) = 0x${expected.toString(16)}`, (t) => {
    t.is(murmur3(bytes, seed), expected);
    if (typeof input === 'string') t.is(murmur3String(input, seed), expected);
  });
}

test('the default seed is 0', (t) => {
  t.is(murmur3(Buffer.from('hello')), 0x248bfa47);
  t.is(murmur3String('hello'), 0x248bfa47);
});

test('non-ASCII strings hash as their UTF-8 bytes', (t) => {
  // From libmurmurhash over the UTF-8 bytes, seed 0 and 0x9747b28c.
  const vectors: [string, number, number][] = [
    ['ключ', 0x9a592042, 0x072f4b90],
    ['🔑', 0x3310d305, 0x7c06de95],
    ['héllo wörld', 0x97f7f274, 0xbc4761f3],
  ];
  for (const [text, seed0, seedFox] of vectors) {
    t.is(murmur3String(text), seed0, text);
    t.is(murmur3String(text, 0x9747b28c), seedFox, text);
  }
  for (const text of ['é', '键', '🔑🔑🔑', 'mixed ascii ключ 键 🔑', '\u0000\uffff']) {
    t.is(murmur3String(text, 42), murmur3(Buffer.from(text, 'utf8'), 42), text);
  }
});

test('a string longer than the scratch buffer hashes as its UTF-8 bytes', (t) => {
  const long = '键'.repeat(2000) + 'x'.repeat(3001);
  t.is(murmur3String(long, 7), murmur3(Buffer.from(long, 'utf8'), 7));
  // And a short string after it still hashes right.
  t.is(murmur3String('hello'), 0x248bfa47);
});

test('results are unsigned 32-bit integers', (t) => {
  for (let i = 0; i < 1000; i++) {
    const hash = murmur3String(`key:${i}`);
    t.true(Number.isInteger(hash) && hash >= 0 && hash <= 0xffffffff, `${hash}`);
  }
});

test('murmur3Lanes equals two murmur3 passes, for every tail length and a part of the bytes', (t) => {
  const bytes = Buffer.from(Array.from({ length: 41 }, (_, i) => (i * 37 + 11) & 0xff));
  for (let end = 0; end <= bytes.length; end++) {
    for (const start of [0, 1, 2, 3]) {
      if (start > end) continue;
      t.deepEqual(murmur3Lanes(bytes, 0x9747b28c, 0x5bd1e995, start, end), [
        murmur3(bytes, 0x9747b28c, start, end),
        murmur3(bytes, 0x5bd1e995, start, end),
      ]);
    }
  }
});
