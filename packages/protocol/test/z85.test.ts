import test from 'ava';
import { BrainerError, z85Decode, z85Encode } from '../src/index.js';

// The test vector of ZeroMQ RFC 32, and a CURVE public key from the zmq_curve(7) manual page.
const HELLO = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
const CURVE_PUBLIC = 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID';

test('z85 encodes and decodes the RFC 32 vector', (t) => {
  t.is(z85Encode(HELLO), 'HelloWorld');
  t.deepEqual(z85Decode('HelloWorld'), HELLO);
});

test('z85 round-trips every byte value, and the extremes of a group', (t) => {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  t.deepEqual(z85Decode(z85Encode(all)), all);
  t.is(z85Encode(Buffer.from([0, 0, 0, 0])), '00000');
  t.is(z85Encode(Buffer.from([255, 255, 255, 255])), '%nSc0');
  t.deepEqual(z85Decode('%nSc0'), Buffer.from([255, 255, 255, 255]));
  t.is(z85Decode(CURVE_PUBLIC).length, 32);
  t.is(z85Encode(z85Decode(CURVE_PUBLIC)), CURVE_PUBLIC);
});

const BAD_TEXT: [string, string][] = [
  ['a length that is not a multiple of 5', 'Hello1'],
  ['a space', 'Hell World'],
  ['a quote', 'Hell"World'],
  ['a non-ASCII character', 'Hellé'],
  ['a group over 2^32 - 1', '%nSc1'],
];

for (const [name, text] of BAD_TEXT) {
  test(`z85Decode rejects ${name} with ERR_MALFORMED`, (t) => {
    t.throws(() => z85Decode(text), { instanceOf: BrainerError, code: 'ERR_MALFORMED' });
  });
}

test('z85Encode rejects a length that is not a multiple of 4', (t) => {
  t.throws(() => z85Encode(Buffer.alloc(3)), { instanceOf: BrainerError, code: 'ERR_BAD_REQUEST' });
});
