import test from 'ava';
import { BrainerError } from '@brainer/protocol';
import { parseLimit, parseTtl, parseWait } from '../src/request-fields.js';

test('wait is all, primary or absent', (t) => {
  t.is(parseWait(undefined), undefined);
  t.is(parseWait('all'), 'all');
  t.is(parseWait('primary'), 'primary');
  for (const bad of ['ALL', '', 'some', 1, ['all', 'all']]) {
    t.is(t.throws(() => parseWait(bad), { instanceOf: BrainerError }).code, 'ERR_BAD_REQUEST', String(bad));
  }
});

test('ttl is a whole number of ms, from a query string or a JSON number', (t) => {
  t.is(parseTtl(undefined), undefined);
  t.is(parseTtl('0'), 0);
  t.is(parseTtl('60000'), 60_000);
  t.is(parseTtl(1500), 1500);
  for (const bad of ['-1', '1.5', '1e3', ' 5', '', 'abc', -1, 1.5, Number.NaN, '99999999999999999', ['1', '2'], null]) {
    const error = t.throws(() => parseTtl(bad), { instanceOf: BrainerError });
    t.is(error.code, 'ERR_BAD_REQUEST', String(bad));
    t.regex(error.message, /^ttl must be a whole number of ms/);
  }
});

test('limit is from 1 to its maximum', (t) => {
  t.is(parseLimit(undefined, 10), undefined);
  t.is(parseLimit('1', 10), 1);
  t.is(parseLimit(10, 10), 10);
  for (const bad of ['0', '11', 0, 11, 'ten']) {
    t.is(t.throws(() => parseLimit(bad, 10), { instanceOf: BrainerError }).code, 'ERR_BAD_REQUEST', String(bad));
  }
});
