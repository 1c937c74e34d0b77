import test from 'ava';
import { BrainerError, type ErrorCode } from '@brainer/protocol';
import { parseJsonRequest } from '../src/json-request.js';

const MAX_GET_ALL = 10_000;
const parse = (value: unknown) => parseJsonRequest(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), MAX_GET_ALL);

test('the four ops parse, with their optional fields', (t) => {
  t.deepEqual(parse({ op: 'PUT', key: 'k', value: 'v' }), { op: 'PUT', key: 'k', value: 'v', ttlMs: undefined, wait: undefined });
  t.deepEqual(parse({ op: 'PUT', key: 'k', value: '', ttl: 500, wait: 'primary' }), {
    op: 'PUT',
    key: 'k',
    value: '',
    ttlMs: 500,
    wait: 'primary',
  });
  t.deepEqual(parse({ op: 'GET_ONE', key: 'k' }), { op: 'GET_ONE', key: 'k' });
  t.deepEqual(parse({ op: 'GET_ALL' }), { op: 'GET_ALL', prefix: '', limit: undefined, cursor: '' });
  t.deepEqual(parse({ op: 'GET_ALL', prefix: 'user:', limit: 10, cursor: 'dXNlcjox' }), {
    op: 'GET_ALL',
    prefix: 'user:',
    limit: 10,
    cursor: 'dXNlcjox',
  });
  t.deepEqual(parse({ op: 'DELETE', key: 'k', wait: 'all' }), { op: 'DELETE', key: 'k', wait: 'all' });
});

test('bad requests fail with the code that says why', (t) => {
  const cases: Array<[unknown, ErrorCode]> = [
    ['not json', 'ERR_MALFORMED'],
    ['', 'ERR_MALFORMED'],
    ['{"op":"PUT"', 'ERR_MALFORMED'],
    ['null', 'ERR_BAD_REQUEST'],
    ['[1]', 'ERR_BAD_REQUEST'],
    ['"PUT"', 'ERR_BAD_REQUEST'],
    [{}, 'ERR_BAD_REQUEST'],
    [{ op: 7 }, 'ERR_BAD_REQUEST'],
    [{ op: 'NOPE' }, 'ERR_UNKNOWN_OP'],
    [{ op: 'put', key: 'k', value: 'v' }, 'ERR_UNKNOWN_OP'],
    [{ op: 'PUT', key: 'k' }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'k', value: 5 }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', value: 'v' }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'k', value: 'v', ttl: -1 }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'k', value: 'v', wait: 'most' }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ONE' }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ONE', key: ['k'] }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ALL', limit: 0 }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ALL', limit: MAX_GET_ALL + 1 }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ALL', prefix: 1 }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ALL', limit: '5' }, 'ERR_BAD_REQUEST'],
    [{ op: 'GET_ALL', cursor: 5 }, 'ERR_BAD_REQUEST'],
    [{ op: 'PUT', key: 'k', value: 'v', ttl: '500' }, 'ERR_BAD_REQUEST'],
    [{ op: 'DELETE' }, 'ERR_BAD_REQUEST'],
  ];
  for (const [input, code] of cases) {
    t.is(t.throws(() => parse(input), { instanceOf: BrainerError }).code, code, JSON.stringify(input));
  }
});

test('a frame that is not UTF-8 is malformed', (t) => {
  t.is(t.throws(() => parseJsonRequest(Buffer.from([0x7b, 0xff, 0x7d]), MAX_GET_ALL), { instanceOf: BrainerError }).code, 'ERR_MALFORMED');
});
