import test from 'ava';
import {
  BrainerError,
  InvalidOptionError,
  ipcSocketPath,
  isEndpoint,
  requireEndpoint,
  requireFileMode,
  requireInteger,
} from '../src/index.js';

test('requireInteger returns integers in range', (t) => {
  t.is(requireInteger('port', 0, 0, 65535), 0);
  t.is(requireInteger('port', 65535, 0, 65535), 65535);
  t.is(requireInteger('heartbeatMs', 1000, 1), 1000);
  t.is(requireInteger('big', Number.MAX_SAFE_INTEGER, 0), Number.MAX_SAFE_INTEGER);
  t.is(requireInteger('offset', -5, -10, 10), -5);
});

const BAD_INTEGERS: [string, unknown][] = [
  ['below min', -1],
  ['above max', 65536],
  ['fraction', 1.5],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['numeric string', '80'],
  ['undefined', undefined],
  ['null', null],
  ['bigint', 80n],
];

for (const [name, value] of BAD_INTEGERS) {
  test(`requireInteger rejects ${name}, naming the field`, (t) => {
    const error = t.throws(() => requireInteger('port', value, 0, 65535), { instanceOf: InvalidOptionError, code: 'ERR_INVALID_OPTION' });
    t.true(error instanceof BrainerError);
    t.regex(error!.message, /"port"/);
    t.regex(error!.message, /0 to 65535/);
  });
}

const GOOD_ENDPOINTS = [
  'tcp://127.0.0.1:5555',
  'tcp://127.0.0.1:*',
  'tcp://*:5555',
  'tcp://localhost:0',
  'tcp://broker.internal:65535',
  'ipc:///tmp/broker.sock',
  'inproc://broker',
];

for (const endpoint of GOOD_ENDPOINTS) {
  test(`requireEndpoint accepts ${endpoint}`, (t) => {
    t.is(requireEndpoint('endpoint', endpoint), endpoint);
    t.true(isEndpoint(endpoint));
  });
}

const BAD_ENDPOINTS: unknown[] = [
  '',
  '127.0.0.1:5555',
  'http://127.0.0.1:5555',
  'tcp://127.0.0.1',
  'tcp://127.0.0.1:',
  'tcp://127.0.0.1:port',
  'tcp://127.0.0.1:123456',
  'tcp://:5555',
  ' tcp://127.0.0.1:5555',
  'tcp://127.0.0.1:5555 ',
  'ipc://',
  'inproc://',
  5555,
  undefined,
  null,
  { host: '127.0.0.1', port: 5555 },
];

for (const endpoint of BAD_ENDPOINTS) {
  test(`requireEndpoint rejects ${JSON.stringify(endpoint) ?? String(endpoint)}, naming the field`, (t) => {
    const error = t.throws(() => requireEndpoint('brokerEndpoint', endpoint), {
      instanceOf: InvalidOptionError,
      code: 'ERR_INVALID_OPTION',
    });
    t.regex(error!.message, /"brokerEndpoint"/);
    if (typeof endpoint === 'string') t.false(isEndpoint(endpoint));
  });
}

test('ipcSocketPath gives the file of an ipc endpoint only', (t) => {
  t.is(ipcSocketPath('ipc:///tmp/broker.sock'), '/tmp/broker.sock');
  t.is(ipcSocketPath('ipc://relative.sock'), 'relative.sock');
  t.is(ipcSocketPath('ipc://@abstract'), undefined);
  t.is(ipcSocketPath('ipc://*'), undefined);
  t.is(ipcSocketPath('tcp://127.0.0.1:5555'), undefined);
  t.is(ipcSocketPath('inproc://x'), undefined);
});

test('requireFileMode takes 0 to 0o777 and names the field otherwise', (t) => {
  t.is(requireFileMode('ipcSocketMode', 0o600), 0o600);
  t.is(requireFileMode('ipcSocketMode', 0), 0);
  t.is(requireFileMode('ipcSocketMode', 0o777), 0o777);
  for (const bad of [-1, 0o1000, 1.5, '600', undefined]) {
    const error = t.throws(() => requireFileMode('ipcSocketMode', bad), { code: 'ERR_INVALID_OPTION' });
    t.regex(error!.message, /"ipcSocketMode"/);
  }
});
