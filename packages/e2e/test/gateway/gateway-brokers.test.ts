import test from 'ava';
import { startCluster, startGateway } from '@brainer/test-utils';
import { FakeStandby } from '../../src/index.js';
import { keyPath, request } from './http-helpers.js';

test('run-gateway takes a list of brokers and follows the leader like any client', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const standby = await FakeStandby.start(cluster.endpoint);
  t.teardown(() => standby.close());
  const list = `${standby.endpoint},${cluster.endpoint}`;
  const gateway = await startGateway({ broker: list });
  t.teardown(() => gateway.stop());
  t.like(gateway.readyLine, { role: 'gateway', broker: list });

  const base = gateway.readyLine.http!;
  t.is((await request(base + keyPath('gw/k'), { method: 'PUT', body: 'v' })).status, 200);
  t.is((await request(base + keyPath('gw/k'))).body.toString(), 'v');
  t.true(standby.notLeaderAnswers >= 1, 'the standby was asked first');
  const client = await cluster.client();
  t.is(await client.get('gw/k'), 'v');
});
