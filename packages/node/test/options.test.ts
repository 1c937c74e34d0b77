import test from 'ava';
import { resolveCacheNodeOptions } from '../src/options.js';

const BROKER_PUBLIC = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
const NODE = { curvePublicKey: 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID', curveSecretKey: 'D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs' };

test('CURVE is off by default, and ipc socket files are owner-only', (t) => {
  const options = resolveCacheNodeOptions({});
  t.is(options.curveServerKey, undefined);
  t.is(options.ipcSocketMode, 0o600);
});

test('the broker key and a matching node key pair turn CURVE on', (t) => {
  const options = resolveCacheNodeOptions({ curveServerKey: BROKER_PUBLIC, ...NODE, allowedClientKeys: new Set([BROKER_PUBLIC]) });
  t.is(options.curvePublicKey, NODE.curvePublicKey);
  t.is(options.allowedClientKeys.size, 1);
});

const BAD: [string, Parameters<typeof resolveCacheNodeOptions>[0], RegExp][] = [
  ['the node pair without the broker key', { ...NODE }, /"curveServerKey" is needed with curvePublicKey and curveSecretKey/],
  ['the broker key without a pair', { curveServerKey: BROKER_PUBLIC }, /"curvePublicKey" is needed with curveServerKey/],
  [
    'a pair that does not match',
    { curveServerKey: BROKER_PUBLIC, ...NODE, curvePublicKey: BROKER_PUBLIC },
    /"curvePublicKey" is not the public key/,
  ],
  ['a malformed broker key', { curveServerKey: 'x', ...NODE }, /"curveServerKey" must be a Z85/],
  ['allowed keys without CURVE', { allowedClientKeys: new Set([BROKER_PUBLIC]) }, /"allowedClientKeys" only works with CURVE on/],
  ['a negative file mode', { ipcSocketMode: -1 }, /"ipcSocketMode"/],
];

for (const [name, options, message] of BAD) {
  test(`resolveCacheNodeOptions refuses ${name}`, (t) => {
    t.throws(() => resolveCacheNodeOptions(options), { code: 'ERR_INVALID_OPTION', message });
  });
}
