import test from 'ava';
import { compileGlob } from '@brainer/protocol';
import { prefixPattern } from '../src/key-listing.js';

const keys = ['a', 'ab', 'a*', 'a*b', 'a?', 'a[1]', 'a\\b', 'a/b', 'a=b', 'b', 'A', 'x[', 'x]'];

test('a prefix pattern matches exactly the keys that start with the prefix, whatever glob characters it holds', (t) => {
  for (const prefix of ['', 'a', 'a*', 'a?', 'a[', 'a[1', 'a\\', 'a/', 'a=', 'x[', 'x]', 'zz']) {
    const matches = compileGlob(prefixPattern(prefix));
    t.deepEqual(
      keys.filter((key) => matches(key)),
      keys.filter((key) => key.startsWith(prefix)),
      `prefix ${JSON.stringify(prefix)}`,
    );
  }
});
