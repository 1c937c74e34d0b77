import test from 'ava';
import { InvalidOptionError, leaderInMessage, notLeaderMessage, parseBrokerList } from '../src/index.js';

test('a broker list comes from commas or an array, trimmed, without duplicates, in order', (t) => {
  t.deepEqual(parseBrokerList('broker', ' tcp://127.0.0.1:5555 ,ipc:///tmp/b2.sock,tcp://127.0.0.1:5555'), [
    'tcp://127.0.0.1:5555',
    'ipc:///tmp/b2.sock',
  ]);
  t.deepEqual(parseBrokerList('broker', ['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2']), ['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2']);
});

test('a broker list with no endpoint, or with something that is not one, is refused with ERR_INVALID_OPTION', (t) => {
  for (const bad of ['', ' , ', 'tcp://127.0.0.1:1,localhost:2', ['nope']]) {
    const error = t.throws(() => parseBrokerList('broker', bad), { instanceOf: InvalidOptionError });
    t.is(error.code, 'ERR_INVALID_OPTION');
  }
});

test("ERR_NOT_LEADER's message carries the leader's endpoint when the standby knows it", (t) => {
  t.is(leaderInMessage(notLeaderMessage('tcp://10.0.0.2:5555')), 'tcp://10.0.0.2:5555');
  t.is(leaderInMessage(notLeaderMessage(undefined)), undefined);
  t.is(leaderInMessage('The leader is at nowhere'), undefined);
});
