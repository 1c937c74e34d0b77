import test from 'ava';
import { brokerEndpoints } from '../src/broker-endpoints.js';
import { gatewayBrokerList } from '../src/election-flags.js';

test('ipc: the first broker binds the endpoint given, the others beside it', async (t) => {
  t.deepEqual(await brokerEndpoints('ipc:///tmp/x/broker.sock', 3), [
    { bind: 'ipc:///tmp/x/broker.sock', connect: 'ipc:///tmp/x/broker.sock' },
    { bind: 'ipc:///tmp/x/broker-2.sock', connect: 'ipc:///tmp/x/broker-2.sock' },
    { bind: 'ipc:///tmp/x/broker-3.sock', connect: 'ipc:///tmp/x/broker-3.sock' },
  ]);
});

test('tcp with a port: the ports after it; past 65535 is wrong usage', async (t) => {
  t.deepEqual(
    (await brokerEndpoints('tcp://127.0.0.1:5555', 2)).map((e) => e.bind),
    ['tcp://127.0.0.1:5555', 'tcp://127.0.0.1:5556'],
  );
  const error = await t.throwsAsync(brokerEndpoints('tcp://127.0.0.1:65535', 2));
  t.is((error as Error & { code?: string }).code, 'ERR_USAGE');
});

test('tcp with port *: a free port each, never the same twice; a * host is reached at 0.0.0.0', async (t) => {
  const offered = [7001, 7001, 7002];
  const hosts: string[] = [];
  const free = async (host: string): Promise<number> => {
    hosts.push(host);
    return offered.shift()!;
  };
  t.deepEqual(await brokerEndpoints('tcp://*:*', 2, free), [
    { bind: 'tcp://*:7001', connect: 'tcp://0.0.0.0:7001' },
    { bind: 'tcp://*:7002', connect: 'tcp://0.0.0.0:7002' },
  ]);
  t.deepEqual(hosts, ['0.0.0.0', '0.0.0.0', '0.0.0.0']);
});

test('an endpoint whose address is not known before binding is wrong usage', async (t) => {
  for (const endpoint of ['ipc://*', 'inproc://x']) {
    const error = await t.throwsAsync(brokerEndpoints(endpoint, 2));
    t.is((error as Error & { code?: string }).code, 'ERR_USAGE', endpoint);
  }
});

test("the gateway gets the broker's own endpoint, then its --peers, only with --etcd", (t) => {
  t.deepEqual(gatewayBrokerList('tcp://a:1', {}), ['tcp://a:1']);
  t.deepEqual(gatewayBrokerList('tcp://a:1', { peers: 'tcp://b:2' }), ['tcp://a:1']);
  t.deepEqual(gatewayBrokerList('tcp://a:1', { etcd: 'http://e:2379', peers: 'tcp://b:2,tcp://a:1,tcp://c:3' }), [
    'tcp://a:1',
    'tcp://b:2',
    'tcp://c:3',
  ]);
});
