import test from 'ava';
import { formatTable } from '../src/format-table.js';

test('columns are padded to the widest cell, the last one is not', (t) => {
  t.is(
    formatTable([
      ['ID', 'STATE'],
      ['node10', 'ready'],
    ]),
    'ID      STATE\nnode10  ready',
  );
});
