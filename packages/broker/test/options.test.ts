import test from 'ava';
import { resolveBrokerOptions } from '../src/options.js';

const SERVER_SECRET = 'JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6';
const CLIENT_PUBLIC = 'Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID';

test('CURVE is off by default, and ipc socket files are owner-only', (t) => {
  const options = resolveBrokerOptions({});
  t.is(options.curveSecretKey, undefined);
  t.is(options.allowedClientKeys.size, 0);
  t.is(options.ipcSocketMode, 0o600);
});

test('the partitioner is consistent hashing unless rendezvous is asked for', (t) => {
  t.is(resolveBrokerOptions({}).partitioner, 'consistent');
  t.is(resolveBrokerOptions({ partitioner: 'rendezvous' }).partitioner, 'rendezvous');
});

test('a CURVE secret key with an allowlist is taken, the allowlist copied', (t) => {
  const allowed = new Set([CLIENT_PUBLIC]);
  const options = resolveBrokerOptions({ curveSecretKey: SERVER_SECRET, allowedClientKeys: allowed });
  allowed.clear();
  t.deepEqual([...options.allowedClientKeys], [CLIENT_PUBLIC]);
});

test('the start-up wait is the lease unless longer, and the backlog holds a million writes or 64 MiB', (t) => {
  t.like(resolveBrokerOptions({}), { startupWaitMs: 1000, backlogWrites: 1_000_000, backlogBytes: 64 * 1024 * 1024 });
  t.like(resolveBrokerOptions({ heartbeatMs: 200 }), { leaseMs: 400, startupWaitMs: 400 });
  t.like(resolveBrokerOptions({ startupWaitMs: 5000 }), { leaseMs: 1000, startupWaitMs: 5000 });
});

const BAD: [string, Parameters<typeof resolveBrokerOptions>[0], RegExp][] = [
  ['a secret key without an allowlist', { curveSecretKey: SERVER_SECRET }, /"allowedClientKeys" must hold at least one/],
  [
    'an allowlist without a secret key',
    { allowedClientKeys: new Set([CLIENT_PUBLIC]) },
    /"allowedClientKeys" only works with curveSecretKey/,
  ],
  [
    'a malformed secret key',
    { curveSecretKey: 'x', allowedClientKeys: new Set([CLIENT_PUBLIC]) },
    /"curveSecretKey" must be a Z85 CURVE key/,
  ],
  ['a malformed allowed key', { curveSecretKey: SERVER_SECRET, allowedClientKeys: new Set(['nope']) }, /"allowedClientKeys" must be a Z85/],
  ['a file mode over 0o777', { ipcSocketMode: 0o1777 }, /"ipcSocketMode"/],
  ['an unknown partitioner', { partitioner: 'modulo' as 'consistent' }, /"partitioner" must be one of consistent, rendezvous/],
  ['a start-up wait shorter than the lease', { leaseMs: 1000, startupWaitMs: 500 }, /"startupWaitMs"/],
  ['a negative backlog', { backlogWrites: -1 }, /"backlogWrites"/],
];

for (const [name, options, message] of BAD) {
  test(`resolveBrokerOptions refuses ${name}`, (t) => {
    t.throws(() => resolveBrokerOptions(options), { code: 'ERR_INVALID_OPTION', message });
  });
}

test('maxmemory is off by default, with Redis defaults for the policy and samples', (t) => {
  const options = resolveBrokerOptions({});
  t.is(options.maxmemory, 0);
  t.is(options.maxmemoryPolicy, 'noeviction');
  t.is(options.maxmemorySamples, 5);
});

test('a bad maxmemory, policy or sample count names its field', (t) => {
  t.throws(() => resolveBrokerOptions({ maxmemory: -1 }), { code: 'ERR_INVALID_OPTION', message: /"maxmemory"/ });
  t.throws(() => resolveBrokerOptions({ maxmemory: 1.5 }), { code: 'ERR_INVALID_OPTION', message: /"maxmemory"/ });
  t.throws(() => resolveBrokerOptions({ maxmemoryPolicy: 'allkeys-random' as 'noeviction' }), {
    code: 'ERR_INVALID_OPTION',
    message: /"maxmemoryPolicy" must be one of noeviction, allkeys-lru, volatile-lru, allkeys-lfu/,
  });
  t.throws(() => resolveBrokerOptions({ maxmemorySamples: 0 }), { code: 'ERR_INVALID_OPTION', message: /"maxmemorySamples"/ });
});
