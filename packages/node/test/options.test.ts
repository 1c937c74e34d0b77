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

test('brokerEndpoint takes one endpoint, a string with commas, or a list', (t) => {
  t.deepEqual(resolveCacheNodeOptions({ brokerEndpoint: 'tcp://127.0.0.1:5555' }).brokers, ['tcp://127.0.0.1:5555']);
  t.deepEqual(resolveCacheNodeOptions({ brokerEndpoint: 'tcp://127.0.0.1:1, tcp://127.0.0.1:2' }).brokers, [
    'tcp://127.0.0.1:1',
    'tcp://127.0.0.1:2',
  ]);
  t.deepEqual(resolveCacheNodeOptions({ brokerEndpoint: ['ipc:///tmp/a.sock', 'tcp://127.0.0.1:2', 'ipc:///tmp/a.sock'] }).brokers, [
    'ipc:///tmp/a.sock',
    'tcp://127.0.0.1:2',
  ]);
  t.is(resolveCacheNodeOptions({}).brokers.length, 1, 'the default broker');
});

test('a malformed broker list names the field and the bad item', (t) => {
  const error = t.throws(() => resolveCacheNodeOptions({ brokerEndpoint: 'tcp://127.0.0.1:1,nowhere' }));
  t.is((error as { code?: string }).code, 'ERR_INVALID_OPTION');
  t.regex(error!.message, /brokerEndpoint.*"nowhere"/);
  t.throws(() => resolveCacheNodeOptions({ brokerEndpoint: [] }), { message: /brokerEndpoint.*at least one/ });
});
