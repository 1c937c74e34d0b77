import test from 'ava';
import { aliasArgv, normalizeArgv } from '../src/normalize-argv.js';

const cases: Array<[string, string[], string[]]> = [
  ['positional ipc endpoint', ['ipc:///tmp/broker.sock', 'set', 'k', 'v'], ['set', 'k', 'v', '--broker', 'ipc:///tmp/broker.sock']],
  ['positional tcp endpoint', ['tcp://127.0.0.1:5555', 'get', 'k', '--json'], ['get', 'k', '--broker', 'tcp://127.0.0.1:5555', '--json']],
  [
    'a topic command stays together',
    ['ipc:///tmp/b.sock', 'bucket', 'get', 'customer:42', '--json'],
    ['bucket', 'get', 'customer:42', '--broker', 'ipc:///tmp/b.sock', '--json'],
  ],
  [
    'flags first',
    ['ipc:///tmp/b.sock', 'set', '--wait', 'primary', 'k', 'v'],
    ['set', '--broker', 'ipc:///tmp/b.sock', '--wait', 'primary', 'k', 'v'],
  ],
  ['malformed endpoint still goes to --broker', ['foo://bar', 'get', 'k'], ['get', 'k', '--broker', 'foo://bar']],
  ['endpoint alone', ['ipc:///tmp/b.sock'], ['--broker', 'ipc:///tmp/b.sock']],
  ['no endpoint', ['get', 'k'], ['get', 'k']],
  ['a value that looks like an endpoint is left alone', ['set', 'url', 'http://example.com'], ['set', 'url', 'http://example.com']],
  ['empty', [], []],
  ['an explicit --broker wins', ['ipc:///a.sock', 'get', 'k', '--broker', 'tcp://h:1'], ['get', 'k', '--broker', 'tcp://h:1']],
  ['an explicit --broker= wins', ['ipc:///a.sock', 'get', 'k', '--broker=tcp://h:1'], ['get', 'k', '--broker=tcp://h:1']],
  [
    '--broker after -- is a value',
    ['ipc:///a.sock', 'set', 'k', '--', '--broker'],
    ['set', 'k', '--broker', 'ipc:///a.sock', '--', '--broker'],
  ],
  ['--node before the command', ['--node', 'tcp://127.0.0.1:5556', 'get', 'k'], ['get', '--node', 'tcp://127.0.0.1:5556', 'k']],
  ['--node= before the command', ['--node=ipc:///n.sock', 'set', 'k', 'v'], ['set', '--node=ipc:///n.sock', 'k', 'v']],
  ['--broker before the command', ['--broker', 'tcp://h:1', 'keys', '*'], ['keys', '--broker', 'tcp://h:1', '*']],
  ['--node with no command is left for oclif to report', ['--node', 'tcp://h:1'], ['--node', 'tcp://h:1']],
  ['--node as the last word is left alone', ['get', 'k', '--node'], ['get', 'k', '--node']],
];

for (const [name, input, expected] of cases) {
  test(`normalizeArgv: ${name}`, (t) => {
    t.deepEqual(normalizeArgv(input), expected);
  });
}

test('aliasArgv puts the command id first', (t) => {
  t.deepEqual(aliasArgv('run-broker', ['--endpoint', 'tcp://127.0.0.1:*']), ['run-broker', '--endpoint', 'tcp://127.0.0.1:*']);
});
