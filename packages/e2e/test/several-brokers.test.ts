import test from 'ava';
import { Brainer } from '@brainer/client';
import { startCluster, waitFor } from '@brainer/test-utils';
import { FakeStandby, LossyRelay, readsServed, refusedEndpoint } from '../src/index.js';

// There is no standby broker here yet: a ROUTER plays one (FakeStandby), answering what a standby
// answers (PROTOCOL.md 5.17), in front of a real broker and real nodes.

async function brokerFigures(endpoint: string): Promise<{ seq: number; dedupHits: number }> {
  const client = new Brainer(endpoint, { reads: 'broker', timeoutMs: 5000 });
  try {
    const stats = await client.stats();
    return { seq: stats.seq as number, dedupHits: stats.dedupHits as number };
  } finally {
    await client.close();
  }
}

test('a client given a standby first follows its ERR_NOT_LEADER to the leader, and each write is applied once', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const standby = await FakeStandby.start(cluster.endpoint);
  t.teardown(() => standby.close());
  const before = await brokerFigures(cluster.endpoint);

  const client = new Brainer([standby.endpoint, cluster.endpoint], { timeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  await client.set('k', 'v1');
  t.is(client.broker, cluster.endpoint, 'it talks to the leader now');
  t.true(standby.notLeaderAnswers >= 1, 'the standby refused the write first');
  t.is(await client.get('k'), 'v1');
  await client.set('k', 'v2');
  t.is(await client.get('k'), 'v2');

  const after = await brokerFigures(cluster.endpoint);
  t.is(after.seq - before.seq, 2, 'two writes, each sequenced once');
  const other = await cluster.client();
  t.is(await other.get('k'), 'v2');
  t.true((await other.verify()).ok);
});

test('the membership watch is taken up with the leader: direct reads reach the nodes', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const standby = await FakeStandby.start(cluster.endpoint);
  t.teardown(() => standby.close());
  const client = new Brainer(`${standby.endpoint},${cluster.endpoint}`, { timeoutMs: 10_000, reads: 'direct' });
  t.teardown(() => client.close());
  await client.set('direct', 'yes');
  const routedBefore = (await client.stats()).readsRouted as number;
  const servedBefore = [...(await readsServed(cluster)).values()].reduce((a, b) => a + b, 0);
  // The membership comes a moment after the move: once it has, reads stop passing through the broker.
  await waitFor(
    async () => {
      t.is(await client.get('direct'), 'yes');
      const routed = ((await client.stats()).readsRouted as number) - routedBefore;
      const served = [...(await readsServed(cluster)).values()].reduce((a, b) => a + b, 0) - servedBefore;
      return served > routed ? true : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, description: 'a read served by a node without the broker' },
  );
  t.pass();
});

test('a standby that knows no leader sends the client on to the next broker', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const lost = await FakeStandby.start(undefined);
  t.teardown(() => lost.close());
  const client = new Brainer([lost.endpoint, cluster.endpoint], { timeoutMs: 10_000, reads: 'broker' });
  t.teardown(() => client.close());
  await client.set('k', 'v');
  t.is(await client.get('k'), 'v');
  t.is(client.broker, cluster.endpoint);
  t.true(lost.notLeaderAnswers >= 1);
});

test('a write whose answer is lost is sent to the next broker with the same id and identity, and applied once', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const relay = await LossyRelay.start(cluster.endpoint);
  t.teardown(() => relay.close());
  const before = await brokerFigures(cluster.endpoint);

  const client = new Brainer([relay.endpoint, cluster.endpoint], { timeoutMs: 15_000, attemptTimeoutMs: 1000, reads: 'broker' });
  t.teardown(() => client.close());
  await client.set('once', 'v');
  t.is(client.broker, cluster.endpoint, 'it gave up on the silent broker');
  t.true(relay.relayed >= 1, 'the first attempt reached the broker through the relay');

  const after = await brokerFigures(cluster.endpoint);
  t.is(after.seq - before.seq, 1, 'the write was sequenced once');
  t.true(after.dedupHits - before.dedupHits >= 1, 'the resent write was answered from the dedup table');
  t.is(await client.get('once'), 'v');
});

test('a broker whose connection drops (it died) is left at once for the next, not after an unanswered attempt', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const relay = await LossyRelay.start(cluster.endpoint);
  t.teardown(() => relay.close());
  // An attempt timeout longer than the call's: only the dropped connection can move the client in time.
  const client = new Brainer([relay.endpoint, cluster.endpoint], { timeoutMs: 20_000, attemptTimeoutMs: 60_000, reads: 'broker' });
  t.teardown(() => client.close());
  const write = client.set('dropped', 'v');
  await waitFor(() => (relay.relayed >= 1 ? true : undefined), { timeoutMs: 10_000 });
  relay.close();
  await write;
  t.is(client.broker, cluster.endpoint);
  t.is(await client.get('dropped'), 'v');
});

test('a broker that refuses the connection is passed over at once; every one refusing is ERR_UNREACHABLE', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const dead = await refusedEndpoint();
  const client = new Brainer([dead, cluster.endpoint], { timeoutMs: 60_000, reads: 'broker' });
  t.teardown(() => client.close());
  const started = Date.now();
  await client.connect();
  await client.set('k', 'v');
  t.is(client.broker, cluster.endpoint);
  t.true(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);

  const deadToo = await refusedEndpoint();
  const nowhere = new Brainer([dead, deadToo], { timeoutMs: 60_000 });
  t.teardown(() => nowhere.close());
  const error = await t.throwsAsync(nowhere.connect());
  t.is((error as { code?: string }).code, 'ERR_UNREACHABLE');
  t.true(error.message.includes(dead) && error.message.includes(deadToo), error.message);
});

test('stats follows a standby to the leader it names, unless the client was told to stay', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const standby = await FakeStandby.start(cluster.endpoint);
  t.teardown(() => standby.close());

  const client = new Brainer([standby.endpoint, cluster.endpoint], { timeoutMs: 10_000, reads: 'broker' });
  t.teardown(() => client.close());
  const stats = await client.stats();
  t.is(stats.role, 'leader', "the leader's own figures");
  t.true((stats.epoch as number) >= 1);
  t.is(client.broker, cluster.endpoint);

  const staying = new Brainer(standby.endpoint, { timeoutMs: 2000, reads: 'broker', followLeader: false });
  t.teardown(() => staying.close());
  t.like(await staying.stats(), { role: 'standby', epoch: 0, leader: cluster.endpoint });
  t.is(staying.broker, standby.endpoint);
  const refused = await t.throwsAsync(staying.set('k', 'v'));
  t.is((refused as { code?: string }).code, 'ERR_NOT_LEADER', 'it stays, and gets the answer once the call is out of time');
});
