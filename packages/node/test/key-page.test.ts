import test from 'ava';
import { compareKeys, KeyPage } from '../src/key-page.js';

const keys = ['', 'a', 'ab', 'b', 'B', 'é', '\u{e000}', '\u{ffff}', '😀', '𝄞', 'a\u{0}', 'z', '10', '9'];

test('compareKeys orders keys by their UTF-8 bytes, astral characters after U+E000–U+FFFF', (t) => {
  const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  t.deepEqual([...keys].sort(compareKeys), byBytes);
  t.true(compareKeys('\u{e000}', '😀') < 0, 'unlike a < b, which compares UTF-16 units');
});

test('a KeyPage keeps the smallest keys after its start, in order, however they are offered', (t) => {
  const sorted = [...keys].sort(compareKeys);
  for (const [after, count] of [
    ['', 3],
    ['a', 4],
    ['é', 100],
    ['𝄞', 1],
  ] as const) {
    const page = new KeyPage(after, count);
    for (const key of [...keys].reverse()) page.offer(key);
    const expected = sorted.filter((key) => compareKeys(key, after) > 0).slice(0, count);
    t.deepEqual(page.keys(), expected, `after ${JSON.stringify(after)}, ${count}`);
  }
});
