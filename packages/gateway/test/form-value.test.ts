import test from 'ava';
import { BrainerError } from '@brainer/protocol';
import { formValue } from '../src/form-value.js';

test('a form body gives its value field, URL-decoded, with = and / intact', (t) => {
  t.is(formValue('value=hello').toString(), 'hello');
  t.is(formValue('value=a%3Db%2Fc').toString(), 'a=b/c');
  t.is(formValue('value=a=b/c').toString(), 'a=b/c');
  t.is(formValue('other=1&value=x+y').toString(), 'x y');
  t.is(formValue('value=').toString(), '');
  t.is(formValue('value=%E2%82%AC').toString(), '€');
});

test('a form body without exactly one value field is refused, not stored as it is', (t) => {
  for (const body of ['', 'hello', 'a=b', 'value=1&value=2']) {
    t.is(t.throws(() => formValue(body), { instanceOf: BrainerError }).code, 'ERR_BAD_REQUEST', body);
  }
});
