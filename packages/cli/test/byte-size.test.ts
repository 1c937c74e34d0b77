import test from 'ava';
import { parseByteSize } from '../src/byte-size.js';

test('sizes take Redis units: k, m, g in thousands, kb, mb, gb in 1024s, any case', (t) => {
  const cases: [string, number][] = [
    ['0', 0],
    ['1048576', 1_048_576],
    ['100b', 100],
    ['1k', 1000],
    ['1kb', 1024],
    ['64mb', 64 * 1024 ** 2],
    ['64MB', 64 * 1024 ** 2],
    ['2m', 2_000_000],
    ['1gb', 1024 ** 3],
    ['3G', 3_000_000_000],
    [' 10 kb ', 10_240],
  ];
  for (const [input, bytes] of cases) t.is(parseByteSize('--maxmemory', input), bytes, input);
});

test('anything else is ERR_USAGE naming the flag', (t) => {
  for (const input of ['', 'lots', '-1mb', '1.5gb', '12xb', '1 tb', 'mb', '99999999999999999999']) {
    t.throws(() => parseByteSize('--maxmemory', input), { code: 'ERR_USAGE', message: /^--maxmemory: .* is not a size/ }, input);
  }
});
