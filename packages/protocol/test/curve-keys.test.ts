import test from 'ava';
import {
  InvalidOptionError,
  curvePublicKeyOf,
  generateCurveKeyPair,
  isCurveKey,
  requireCurveKey,
  requireCurveKeyPair,
  z85Decode,
} from '../src/index.js';

// The client and server key pairs of the zmq_curve(7) manual page.
const CLIENT = { publicKey: 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID', secretKey: 'D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs' };
const SERVER = { publicKey: 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7', secretKey: 'JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6' };

test('curvePublicKeyOf derives the public keys of the zmq_curve(7) pairs', (t) => {
  t.is(curvePublicKeyOf(CLIENT.secretKey), CLIENT.publicKey);
  t.is(curvePublicKeyOf(SERVER.secretKey), SERVER.publicKey);
});

test('generateCurveKeyPair makes distinct, valid, matching pairs', (t) => {
  const pairs = Array.from({ length: 20 }, () => generateCurveKeyPair());
  for (const pair of pairs) {
    t.true(isCurveKey(pair.publicKey));
    t.true(isCurveKey(pair.secretKey));
    t.is(curvePublicKeyOf(pair.secretKey), pair.publicKey);
  }
  t.is(new Set(pairs.map((p) => p.secretKey)).size, pairs.length);
});

test('isCurveKey accepts 40 Z85 characters only', (t) => {
  t.true(isCurveKey(CLIENT.publicKey));
  t.false(isCurveKey(CLIENT.publicKey.slice(1)));
  t.false(isCurveKey(`${CLIENT.publicKey}0`));
  t.false(isCurveKey(`${CLIENT.publicKey.slice(0, 39)} `));
  t.false(isCurveKey('%nSc1'.repeat(8)));
  t.false(isCurveKey(undefined));
  t.false(isCurveKey(z85Decode(CLIENT.publicKey)));
});

test('requireCurveKey names the field and never echoes the value', (t) => {
  t.is(requireCurveKey('curveSecretKey', CLIENT.secretKey), CLIENT.secretKey);
  const secretLike = `${CLIENT.secretKey.slice(0, 39)}~`;
  const error = t.throws(() => requireCurveKey('curveSecretKey', secretLike), {
    instanceOf: InvalidOptionError,
    code: 'ERR_INVALID_OPTION',
  });
  t.regex(error!.message, /"curveSecretKey"/);
  t.false(error!.message.includes(secretLike));
});

test('requireCurveKeyPair refuses a public key that is not the secret key’s', (t) => {
  t.deepEqual(requireCurveKeyPair('pub', CLIENT.publicKey, 'sec', CLIENT.secretKey), CLIENT);
  const error = t.throws(() => requireCurveKeyPair('curvePublicKey', SERVER.publicKey, 'curveSecretKey', CLIENT.secretKey), {
    code: 'ERR_INVALID_OPTION',
  });
  t.regex(error!.message, /"curvePublicKey" is not the public key of curveSecretKey/);
  t.throws(() => requireCurveKeyPair('pub', 'short', 'sec', CLIENT.secretKey), { message: /"pub"/ });
  t.throws(() => requireCurveKeyPair('pub', CLIENT.publicKey, 'sec', 'short'), { message: /"sec"/ });
});
