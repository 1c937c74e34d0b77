import test from 'ava';
import { nodeEndpointFor } from '../src/node-endpoint.js';

test('an ipc broker gets node sockets beside its own', (t) => {
  t.is(nodeEndpointFor('ipc:///tmp/broker.sock', 'node1'), 'ipc:///tmp/broker-node1.sock');
  t.is(nodeEndpointFor('ipc:///run/b', 'node2'), 'ipc:///run/b-node2.sock');
});

test('a tcp broker gets nodes on free loopback ports', (t) => {
  t.is(nodeEndpointFor('tcp://127.0.0.1:5555', 'node1'), 'tcp://127.0.0.1:*');
});
