import test from 'ava';
import { resolveBrainerOptions } from '../src/options.js';

const SERVER = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
const CLIENT = { publicKey: 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID', secretKey: 'D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs' };

test('the curve option takes the server key and a matching client pair', (t) => {
  t.is(resolveBrainerOptions({}).curve, undefined);
  t.deepEqual(resolveBrainerOptions({ curve: { serverKey: SERVER, ...CLIENT } }).curve, { serverKey: SERVER, ...CLIENT });
});

test('the curve option names the bad key', (t) => {
  t.throws(() => resolveBrainerOptions({ curve: { serverKey: 'x', ...CLIENT } }), {
    code: 'ERR_INVALID_OPTION',
    message: /"curve.serverKey"/,
  });
  t.throws(() => resolveBrainerOptions({ curve: { serverKey: SERVER, ...CLIENT, publicKey: SERVER } }), {
    code: 'ERR_INVALID_OPTION',
    message: /"curve.publicKey" is not the public key of curve.secretKey/,
  });
  t.throws(() => resolveBrainerOptions({ curve: { serverKey: SERVER, publicKey: CLIENT.publicKey } as never }), {
    code: 'ERR_INVALID_OPTION',
    message: /"curve.secretKey"/,
  });
});

test('the curve option takes the nodes’ public key for direct reads, and names it when it is bad', (t) => {
  const curve = { serverKey: SERVER, ...CLIENT, nodeServerKey: SERVER };
  t.deepEqual(resolveBrainerOptions({ curve }).curve, curve);
  t.throws(() => resolveBrainerOptions({ curve: { ...curve, nodeServerKey: 'short' } }), {
    code: 'ERR_INVALID_OPTION',
    message: /"curve.nodeServerKey"/,
  });
});

test('the reads option is direct by default and takes only direct or broker', (t) => {
  t.is(resolveBrainerOptions({}).reads, 'direct');
  t.is(resolveBrainerOptions({ reads: 'broker' }).reads, 'broker');
  t.throws(() => resolveBrainerOptions({ reads: 'nodes' as never }), { code: 'ERR_INVALID_OPTION', message: /"reads"/ });
});
