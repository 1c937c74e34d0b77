import test from 'ava';
import { encodeLeaderValue, parseLeaderValue } from '../src/leader-key.js';

test('the leader key holds the endpoint, the read-lease overhang and the ready nodes, as JSON', (t) => {
  const value = { endpoint: 'tcp://127.0.0.1:5555', readLeaseOverhangMs: 600, nodes: ['n1', 'n2'] };
  t.deepEqual(parseLeaderValue(encodeLeaderValue(value)), value);
});

test('a bare endpoint, or JSON of another shape, says nothing of leases or nodes', (t) => {
  t.deepEqual(parseLeaderValue('tcp://127.0.0.1:5555'), { endpoint: 'tcp://127.0.0.1:5555' });
  t.deepEqual(parseLeaderValue('{"endpoint":"tcp://h:1","readLeaseOverhangMs":-5,"nodes":[1,2]}'), { endpoint: 'tcp://h:1' });
  t.deepEqual(parseLeaderValue('"tcp://h:1"'), { endpoint: '"tcp://h:1"' });
  t.deepEqual(parseLeaderValue('null'), { endpoint: 'null' });
});
