import test from 'ava';
import { askBrokerRole, brokerRows, roleFromStats } from '../src/broker-role.js';

const E = 'tcp://127.0.0.1:5555';
const L = 'tcp://127.0.0.1:5556';

test('a broker with no role in its stats leads alone, and is its own leader', (t) => {
  t.deepEqual(roleFromStats(E, { epoch: 3, seq: 10 }), { endpoint: E, role: 'leader', epoch: 3, leader: E });
});

test('a standby says which leader it knows, or none', (t) => {
  t.deepEqual(roleFromStats(E, { role: 'standby', epoch: 7, leader: L }), { endpoint: E, role: 'standby', epoch: 7, leader: L });
  t.deepEqual(roleFromStats(E, { role: 'standby', epoch: 7, leader: null }), { endpoint: E, role: 'standby', epoch: 7, leader: null });
  t.deepEqual(roleFromStats(E, { role: 'leader', epoch: 1 << 20, leader: E }), { endpoint: E, role: 'leader', epoch: 1 << 20, leader: E });
});

test('a broker that does not answer is down, with the error, and its client is closed', async (t) => {
  let closed = false;
  const client = {
    connect: () => Promise.reject(Object.assign(new Error('no answer'), { code: 'ERR_TIMEOUT' })),
    stats: () => Promise.resolve({}),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
  t.deepEqual(await askBrokerRole(E, client), {
    endpoint: E,
    role: 'down',
    epoch: null,
    leader: null,
    error: { code: 'ERR_TIMEOUT', message: 'no answer' },
  });
  t.true(closed);
});

test('the table has an ERROR column only when a broker is down', (t) => {
  const up = roleFromStats(E, { epoch: 2 });
  t.deepEqual(brokerRows([up]), [
    ['ENDPOINT', 'ROLE', 'EPOCH', 'LEADER'],
    [E, 'leader', '2', E],
  ]);
  const down = { endpoint: L, role: 'down', epoch: null, leader: null, error: { code: 'ERR_UNREACHABLE', message: 'refused' } };
  t.deepEqual(brokerRows([up, down]), [
    ['ENDPOINT', 'ROLE', 'EPOCH', 'LEADER', 'ERROR'],
    [E, 'leader', '2', E, '-'],
    [L, 'down', '-', '-', 'ERR_UNREACHABLE'],
  ]);
});
