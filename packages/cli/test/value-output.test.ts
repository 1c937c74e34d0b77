import test from 'ava';
import { jsonValue, printableValue, quotedBytes } from '../src/value-output.js';

test('quotedBytes escapes as redis-cli does', (t) => {
  t.is(quotedBytes(Buffer.from([0xff, 0x00, 0x61, 0x0a, 0x22, 0x5c, 0x7f, 0x20])), '"\\xff\\x00a\\n\\"\\\\\\x7f "');
});

test('printableValue and jsonValue leave valid UTF-8 as it is', (t) => {
  t.is(printableValue(Buffer.from('héllo\r\n')), 'héllo\r\n');
  t.is(printableValue(Buffer.from([0x61, 0xc3])), '"a\\xc3"');
  t.is(jsonValue(Buffer.from('héllo')), 'héllo');
  t.deepEqual(jsonValue(Buffer.from([0xff])), { base64: '/w==' });
});
