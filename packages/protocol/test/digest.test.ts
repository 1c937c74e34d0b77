import test from 'ava';
import { ContentDigest, entryHash } from '../src/index.js';

const ZERO = '0000000000000000';
const ENTRIES: [string, Buffer][] = Array.from({ length: 1000 }, (_, i) => [`key:${i}`, Buffer.from(`value ${i * 7}`)]);

function digestOf(entries: Iterable<[string, Uint8Array]>): string {
  const digest = new ContentDigest();
  for (const [key, value] of entries) digest.add(key, value);
  return digest.toString();
}

/** A fixed shuffle, so that a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

test('an empty digest is all zeros', (t) => {
  t.is(new ContentDigest().toString(), ZERO);
});

test('a digest is 16 hex digits', (t) => {
  t.regex(digestOf(ENTRIES), /^[0-9a-f]{16}$/);
  t.not(digestOf(ENTRIES), ZERO);
});

test('the same entries in any order give the same digest', (t) => {
  const expected = digestOf(ENTRIES);
  t.is(digestOf([...ENTRIES].reverse()), expected);
  t.is(digestOf(shuffled(ENTRIES, 1)), expected);
  t.is(digestOf(shuffled(ENTRIES, 2)), expected);
});

test('add then remove returns to all zeros, in any order', (t) => {
  const digest = new ContentDigest();
  for (const [key, value] of ENTRIES) digest.add(key, value);
  for (const [key, value] of shuffled(ENTRIES, 3)) digest.remove(key, value);
  t.is(digest.toString(), ZERO);
});

test('removing entries gives the digest of what is left', (t) => {
  const digest = new ContentDigest();
  for (const [key, value] of ENTRIES) digest.add(key, value);
  for (const [key, value] of ENTRIES.slice(500)) digest.remove(key, value);
  t.is(digest.toString(), digestOf(ENTRIES.slice(0, 500)));
});

test('remove before add still cancels out', (t) => {
  const digest = new ContentDigest();
  digest.remove('k', Buffer.from('v'));
  t.not(digest.toString(), ZERO);
  digest.add('k', Buffer.from('v'));
  t.is(digest.toString(), ZERO);
});

test('clear returns to all zeros', (t) => {
  const digest = new ContentDigest();
  digest.add('k', Buffer.from('v'));
  digest.clear();
  t.is(digest.toString(), ZERO);
});

test('different content gives different digests', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(digestOf([[`key:${i}`, Buffer.from('v')]]));
  t.is(seen.size, 1000);
  t.not(digestOf(ENTRIES), digestOf(ENTRIES.slice(1)));
  t.not(digestOf([['a', Buffer.from('1')]]), digestOf([['b', Buffer.from('1')]]));
});

test('values that differ in one byte give different digests', (t) => {
  const value = Buffer.alloc(64, 0x41);
  const base = digestOf([['k', value]]);
  for (let i = 0; i < value.length; i++) {
    const changed = Buffer.from(value);
    changed[i] = 0x42;
    t.not(digestOf([['k', changed]]), base, `byte ${i}`);
  }
});

test('the key/value boundary matters', (t) => {
  t.not(digestOf([['ab', Buffer.from('c')]]), digestOf([['a', Buffer.from('bc')]]));
  t.not(digestOf([['', Buffer.from('abc')]]), digestOf([['abc', Buffer.alloc(0)]]));
});

test('swapping values between keys changes the digest', (t) => {
  const one = digestOf([
    ['a', Buffer.from('1')],
    ['b', Buffer.from('2')],
  ]);
  const swapped = digestOf([
    ['a', Buffer.from('2')],
    ['b', Buffer.from('1')],
  ]);
  t.not(one, swapped);
});

test('the digest is the sum of the entry hashes modulo 2^64', (t) => {
  let sum = 0n;
  for (const [key, value] of ENTRIES) {
    const [low, high] = entryHash(key, value);
    sum += (BigInt(high) << 32n) | BigInt(low);
  }
  t.is(digestOf(ENTRIES), BigInt.asUintN(64, sum).toString(16).padStart(16, '0'));
});

test('removal subtracts modulo 2^64', (t) => {
  const digest = new ContentDigest();
  let sum = 0n;
  for (const [key, value] of ENTRIES.slice(0, 300)) {
    digest.remove(key, value);
    const [low, high] = entryHash(key, value);
    sum -= (BigInt(high) << 32n) | BigInt(low);
  }
  t.is(digest.toString(), BigInt.asUintN(64, sum).toString(16).padStart(16, '0'));
});
