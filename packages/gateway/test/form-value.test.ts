import test from 'ava';
import { BrainerError } from '@brainer/protocol';
import { formValue } from '../src/form-value.js';

const form = (body: string | Buffer): Buffer => formValue(Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'));

test('a form body gives its value field, URL-decoded, with = and / intact', (t) => {
  t.is(form('value=hello').toString(), 'hello');
  t.is(form('value=a%3Db%2Fc').toString(), 'a=b/c');
  t.is(form('value=a=b/c').toString(), 'a=b/c');
  t.is(form('other=1&value=x+y').toString(), 'x y');
  t.is(form('value=').toString(), '');
  t.is(form('value=%E2%82%AC').toString(), '€');
});

test('a form body without exactly one value field is refused, not stored as it is', (t) => {
  for (const body of ['', 'hello', 'a=b', 'value=1&value=2']) {
    t.is(t.throws(() => form(body), { instanceOf: BrainerError }).code, 'ERR_BAD_REQUEST', body);
  }
});

test('a form value that does not decode to UTF-8 is refused with a code, never stored with U+FFFD', (t) => {
  for (const body of ['value=%FF', 'value=a%C3', 'value=%ED%A0%80', Buffer.from([0x76, 0x61, 0x6c, 0x75, 0x65, 0x3d, 0xe9])]) {
    const error = t.throws(() => form(body), { instanceOf: BrainerError });
    t.is(error.code, 'ERR_BAD_REQUEST', String(body));
    t.regex(error.message, /UTF-8/);
  }
  t.is(form(Buffer.from('value=é', 'utf8')).toString(), 'é');
  t.is(form('other=%FF&value=ok').toString(), 'ok', 'only the value must be UTF-8');
});
