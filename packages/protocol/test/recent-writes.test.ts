import test from 'ava';
import { isRecentWrite } from '../src/index.js';

const table: [entry: unknown, ok: boolean][] = [
  [['ab', 5, 'del', 1], true],
  [['ab', 5, 'set', 0], true],
  [['ab', '5', 'set', 0], false],
  [[5, 5, 'set', 0], false],
  [['ab', 5, 'get', 0], false],
  [['ab', 5, 'set'], false],
  [{ client: 'ab' }, false],
  [null, false],
];

for (const [entry, ok] of table) {
  test(`isRecentWrite(${JSON.stringify(entry)}) is ${ok}`, (t) => {
    t.is(isRecentWrite(entry), ok);
  });
}
