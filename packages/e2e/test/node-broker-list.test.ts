import test, { type ExecutionContext } from 'ava';
import { Brainer } from '@brainer/client';
import { DEFAULT_LIMITS, notLeaderMessage, type Message } from '@brainer/protocol';
import { runBin, startBroker, startNode, waitFor, type ManagedProcess } from '@brainer/test-utils';
import { RawBroker, type RawBrokerMessage } from '../src/index.js';

const HEARTBEAT_MS = 200;

function isRegistration(message: Message): boolean {
  return message.type === 'register' || message.type === 'resume';
}

/** A standby broker: every registration and node message gets `error ERR_NOT_LEADER`, naming `leader` if given. */
async function standby(leader: string | undefined): Promise<RawBroker> {
  return RawBroker.start(async (broker, { peer }) => {
    await broker.send(peer, { type: 'error', code: 'ERR_NOT_LEADER', message: notLeaderMessage(leader) });
  });
}

/** Starts node1 with `brokers` and waits until `leader` holds it ready; a client of the leader comes with it. */
async function nodeReadyOn(t: ExecutionContext, brokers: string, leader: ManagedProcess) {
  const node = await startNode(brokers, { id: 'node1' });
  t.teardown(() => node.stop());
  const brainer = await client(leader);
  t.teardown(() => brainer.close());
  await readyOn(brainer, 'node1');
  return { node, brainer };
}

async function client(broker: ManagedProcess): Promise<Brainer> {
  const brainer = new Brainer(broker.endpoint, { timeoutMs: 5000 });
  await brainer.connect();
  return brainer;
}

async function readyOn(brainer: Brainer, id: string): Promise<void> {
  await waitFor(async () => (await brainer.nodes()).some((node) => node.id === id && node.state === 'ready'), {
    timeoutMs: 20_000,
    description: `${id} ready`,
  });
}

for (const names of [true, false]) {
  test(`a node whose first broker is a standby ${names ? 'naming the leader goes to it' : 'naming no leader goes to the next in its list'}, registers and serves`, async (t) => {
    const leader = await startBroker({ heartbeatMs: HEARTBEAT_MS });
    t.teardown(() => leader.stop());
    const fake = await standby(names ? leader.endpoint : undefined);
    t.teardown(() => fake.close());
    // With the standby naming the leader, the leader need not be in the list at all.
    const brokers = names ? fake.endpoint : `${fake.endpoint},${leader.endpoint}`;
    const { node, brainer } = await nodeReadyOn(t, brokers, leader);
    t.true(
      fake.received.some((entry: RawBrokerMessage) => isRegistration(entry.message)),
      'the node registered with the standby first',
    );
    await brainer.set('k', 'v');
    t.is(await brainer.get('k'), 'v');
    t.regex(node.stderr, /the broker is a standby/);
  });
}

test('a node given two brokers moves to the second when the first falls silent, and resumes there with its data', async (t) => {
  const first = await startBroker({ heartbeatMs: HEARTBEAT_MS });
  t.teardown(() => first.stop());
  const second = await startBroker({ heartbeatMs: HEARTBEAT_MS });
  t.teardown(() => second.stop());
  const { node, brainer: atFirst } = await nodeReadyOn(t, `${first.endpoint},${second.endpoint}`, first);
  for (let i = 0; i < 20; i++) await atFirst.set(`k${i}`, `v${i}`);

  first.kill('SIGSTOP');
  t.teardown(() => first.kill('SIGCONT'));
  const atSecond = await client(second);
  t.teardown(() => atSecond.close());
  await readyOn(atSecond, 'node1');
  for (let i = 0; i < 20; i++) t.is(await atSecond.get(`k${i}`), `v${i}`, 'the node kept its data and serves it');
  await atSecond.set('after', 'moved');
  t.is(await atSecond.get('after'), 'moved');
  t.regex(node.stderr, /moving to another broker/);
});

test('a deposed broker with an older epoch gets ERR_STALE_EPOCH: the node applies none of its writes, acks nothing and takes no lease from it', async (t) => {
  const leader = await startBroker({ heartbeatMs: HEARTBEAT_MS });
  t.teardown(() => leader.stop());
  // The deposed broker: it answers a registration as if it still led, in the epoch before the leader's, with a write and a lease.
  let deposedEpoch = 0;
  const deposed = await RawBroker.start(async (broker, { peer, message }) => {
    if (!isRegistration(message)) return;
    const epoch = deposedEpoch;
    const common = { heartbeatMs: HEARTBEAT_MS, leaseMs: 60_000, limits: DEFAULT_LIMITS };
    await broker.send(peer, {
      type: 'welcome',
      epoch,
      state: 'ready',
      seq: 1_000,
      reset: false,
      joinId: 0,
      sourceId: '',
      sourceEndpoint: '',
      ...common,
    });
    await broker.send(peer, {
      type: 'writes',
      epoch,
      firstSeq: 1_001,
      sentAt: 0,
      writes: [{ kind: 'set', key: 'k', value: Buffer.from('from the deposed broker'), expiresAt: 0 }],
    });
    await broker.send(peer, { type: 'heartbeat-ack', epoch, sentAt: 1, leaseMs: 60_000, brokerAt: 1 });
  });
  t.teardown(() => deposed.close());

  const { node, brainer } = await nodeReadyOn(t, `${leader.endpoint},${deposed.endpoint}`, leader);
  await brainer.set('k', 'from the leader');
  const { epoch } = await brainer.stats();
  deposedEpoch = (epoch as number) - 1;
  t.true(deposedEpoch >= 0);

  // The leader falls silent: the node moves to the next broker, the deposed one, and registers there.
  leader.kill('SIGSTOP');
  t.teardown(() => leader.kill('SIGCONT'));
  await waitFor(() => deposed.of('error').length >= 3, {
    timeoutMs: 10_000,
    description: 'an error for each of the welcome, the writes and the heartbeat-ack',
  });
  const errors = deposed.of('error');
  t.deepEqual(
    errors.slice(0, 3).map((error) => error.code),
    ['ERR_STALE_EPOCH', 'ERR_STALE_EPOCH', 'ERR_STALE_EPOCH'],
  );
  t.regex(errors[0]!.message, new RegExp(`welcome of epoch ${deposedEpoch}\\b.*accepted epoch ${epoch as number}\\b`));
  t.regex(errors[1]!.message, /writes of epoch/);
  t.regex(errors[2]!.message, /heartbeat-ack of epoch/);

  // While it sits with the deposed broker, the node serves no direct read: it took neither its welcome nor its lease.
  const direct = Brainer.direct(node.endpoint, { timeoutMs: 5000 });
  t.teardown(() => direct.close());
  const refused = await t.throwsAsync(direct.get('k'));
  t.regex((refused as { code?: string }).code ?? '', /ERR_NOT_READY|ERR_NO_LEASE/);

  // The leader comes back; the node gets no welcome from the deposed broker, goes round to the leader and resumes.
  leader.kill('SIGCONT');
  await readyOn(brainer, 'node1');
  await waitFor(async () => (await direct.get('k').catch(() => undefined)) !== undefined, { description: 'a direct read served again' });
  t.is(await direct.get('k'), 'from the leader', 'the deposed write was never applied');
  t.is(await brainer.get('k'), 'from the leader');
  t.deepEqual(deposed.of('ack'), [], 'the deposed broker gathered no ack');
  t.true((await brainer.verify()).ok);
});

for (const list of ['tcp://127.0.0.1:5555,nowhere', ',', 'tcp://127.0.0.1:5555;tcp://127.0.0.1:5556']) {
  test(`run-node --broker ${JSON.stringify(list)} is refused as a malformed endpoint is: ERR_INVALID_OPTION, exit 2, before anything starts`, async (t) => {
    const result = await runBin('run-node', ['--broker', list, '--node-endpoint', 'tcp://127.0.0.1:*']);
    t.is(result.code, 2);
    t.regex(result.stderr, /ERR_INVALID_OPTION.*--broker/);
    t.notRegex(result.stdout, /"event":"ready"/);
  });
}
