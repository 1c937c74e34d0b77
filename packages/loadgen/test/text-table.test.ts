import test from 'ava';
import { formatColumns, int } from '../src/index.js';

test('formatColumns left-aligns the name column, right-aligns the figures, and rules the header', (t) => {
  const table = formatColumns(
    [
      ['workload', 'ops/s', 'p50'],
      ['write', '12,345', '80'],
      ['ycsb-a', '7', '1,234'],
    ],
    'latencies in µs',
  );
  t.is(
    table,
    ['workload   ops/s    p50', '--------  ------  -----', 'write     12,345     80', 'ycsb-a         7  1,234', 'latencies in µs'].join(
      '\n',
    ),
  );
});

test('formatColumns takes several name columns, and no footer', (t) => {
  t.is(
    formatColumns(
      [
        ['a', 'b', 'n'],
        ['xyz', 'q', '1'],
      ],
      undefined,
      2,
    ),
    ['a    b  n', '---  -  -', 'xyz  q  1'].join('\n'),
  );
});

test('int rounds and groups thousands, and prints - for what is not a number', (t) => {
  t.is(int(1234567.6), '1,234,568');
  t.is(int(0), '0');
  t.is(int(NaN), '-');
  t.is(int(Infinity), '-');
});
