import test from 'ava';
import { DEFAULT_LIMITS, type Message, type MessageOf } from '@brainer/protocol';
import { MemoryEngine, Replica, type CacheNodeEvent, type ReplicaEffects } from '../src/index.js';
import { EpochFence } from '../src/epoch-fence.js';

const limits = { joinBufferWrites: 1_000, joinBufferBytes: 1 << 20 };

function recorder() {
  const toBroker: Message[] = [];
  const events: CacheNodeEvent[] = [];
  const resyncs: string[] = [];
  const snapshots: number[] = [];
  const effects: ReplicaEffects = {
    toBroker: (message) => toBroker.push(message),
    startSnapshot: (joinId) => snapshots.push(joinId),
    stopSnapshot: () => {},
    resync: (reason) => resyncs.push(reason),
    storageFailed: () => {},
    emit: (event) => events.push(event),
  };
  return { toBroker, events, resyncs, snapshots, effects };
}

function welcome(epoch: number, state: 'ready' | 'joining', seq: number, joinId = 0): MessageOf<'welcome'> {
  return {
    type: 'welcome',
    epoch,
    state,
    seq,
    reset: state === 'joining',
    joinId,
    sourceId: state === 'joining' ? 'src' : '',
    sourceEndpoint: state === 'joining' ? 'inproc://src' : '',
    heartbeatMs: 100,
    leaseMs: 200,
    limits: DEFAULT_LIMITS,
  };
}

function set(epoch: number, firstSeq: number, key: string, value: string): MessageOf<'writes'> {
  return { type: 'writes', epoch, firstSeq, sentAt: 0, writes: [{ kind: 'set', key, value: Buffer.from(value), expiresAt: 0 }] };
}

function heartbeatAck(epoch: number, leaseMs = 200, sentAt = 5): MessageOf<'heartbeat-ack'> {
  return { type: 'heartbeat-ack', epoch, sentAt, leaseMs, brokerAt: 1 };
}

/** A replica ready in `epoch` 5 at seq 1, holding a=1, and what it sent so far cleared. */
function readyInEpoch5() {
  const log = recorder();
  const replica = new Replica(new MemoryEngine(), limits, log.effects);
  t0(replica.onWelcome(welcome(5, 'ready', 0)));
  t0(replica.onWrites(set(5, 1, 'a', '1')));
  log.toBroker.length = 0;
  return { replica, ...log };
}

function t0(accepted: boolean): void {
  if (!accepted) throw new Error('set-up message refused');
}

function staleErrors(toBroker: Message[]): MessageOf<'error'>[] {
  return toBroker.filter((message): message is MessageOf<'error'> => message.type === 'error' && message.code === 'ERR_STALE_EPOCH');
}

test('the fence holds the highest epoch accepted and refuses only what is below it', (t) => {
  const fence = new EpochFence(3);
  t.true(fence.refuses(2));
  t.false(fence.refuses(3));
  fence.accept(7);
  fence.accept(4);
  t.is(fence.epoch, 7, 'an epoch accepted never goes back down');
  t.true(fence.refuses(6));
  t.regex(fence.refusal('writes', 6), /epoch 6.*accepted epoch 7/);
});

test('writes of an older epoch get ERR_STALE_EPOCH naming both epochs, and are neither applied nor acked', (t) => {
  const { replica, toBroker, events, resyncs } = readyInEpoch5();
  t.false(replica.onWrites(set(4, 2, 'a', 'deposed')));
  t.deepEqual(
    toBroker.map((message) => message.type),
    ['error'],
    'no ack',
  );
  const [error] = staleErrors(toBroker);
  t.regex(error!.message, /writes of epoch 4.*accepted epoch 5/);
  t.is(replica.engine.get('a', 0)?.value.toString(), '1', 'the deposed write was not applied');
  t.is(replica.position, 1);
  t.is(replica.state, 'ready');
  t.is(resyncs.length, 0, 'a deposed broker is no gap: the node does not register again for it');
  t.like(events.at(-1), { type: 'epoch:refused', messageType: 'writes', epoch: 4, accepted: 5 });
});

test('a heartbeat-ack of an older epoch that grants a lease is refused', (t) => {
  const { replica, toBroker } = readyInEpoch5();
  t.false(replica.admits(heartbeatAck(4)));
  t.regex(staleErrors(toBroker)[0]!.message, /heartbeat-ack of epoch 4.*accepted epoch 5/);
  t.true(replica.admits(heartbeatAck(5)), "the leader's own ack passes");
  t.true(replica.admits(heartbeatAck(6)), 'so does a later epoch');
  t.is(staleErrors(toBroker).length, 1);
});

test('the id probe (sentAt 0, leaseMs 0) and any lease-free heartbeat-ack pass the fence: they grant nothing', (t) => {
  const { replica, toBroker } = readyInEpoch5();
  t.true(replica.admits(heartbeatAck(0, 0, 0)));
  t.true(replica.admits(heartbeatAck(3, 0)));
  t.is(toBroker.length, 0, 'nothing is answered');
});

test('a welcome of an older epoch changes nothing: no state, no epoch, no reset, no join', (t) => {
  const { replica, toBroker, snapshots } = readyInEpoch5();
  t.false(replica.onWelcome({ ...welcome(4, 'ready', 9), reset: true }));
  t.false(replica.onWelcome(welcome(3, 'joining', 9, 2)));
  t.is(staleErrors(toBroker).length, 2);
  t.is(replica.state, 'ready');
  t.is(replica.epoch, 5);
  t.is(replica.position, 1);
  t.is(replica.engine.size, 1, 'the store was not emptied');
  t.deepEqual(snapshots, [], 'no join was started');
});

test('a catch-up of an older epoch changes nothing', (t) => {
  const { replica, toBroker } = readyInEpoch5();
  replica.unregistered();
  const catchUp: MessageOf<'catch-up'> = {
    type: 'catch-up',
    epoch: 4,
    fromSeq: 1,
    seq: 3,
    joinId: 7,
    heartbeatMs: 100,
    leaseMs: 200,
    limits: DEFAULT_LIMITS,
  };
  t.false(replica.onCatchUp(catchUp));
  t.is(replica.state, 'registering');
  t.is(replica.epoch, 5);
  t.deepEqual(
    toBroker.map((message) => message.type),
    ['error'],
    'no join-failed, no caught-up',
  );
});

test('a welcome to wait for a source passes at a lower epoch and keeps the epoch: a broker that has started no epoch sends 0', (t) => {
  const { replica, toBroker } = readyInEpoch5();
  replica.unregistered();
  t.true(replica.onWelcome({ ...welcome(0, 'joining', 0), reset: false, sourceId: '', sourceEndpoint: '' }));
  t.is(replica.state, 'joining');
  t.is(replica.epoch, 5);
  t.is(replica.fence.epoch, 5);
  t.is(toBroker.length, 0);
  t.false(replica.onWrites(set(0, 1, 'b', '2')), 'it still refuses writes below the fence');
});

test('an epoch taken from a welcome or a catch-up raises the fence for good, and a later epoch is followed', (t) => {
  const { replica, toBroker } = readyInEpoch5();
  replica.unregistered();
  t.true(
    replica.onCatchUp({
      type: 'catch-up',
      epoch: 9,
      fromSeq: 1,
      seq: 1,
      joinId: 3,
      heartbeatMs: 100,
      leaseMs: 200,
      limits: DEFAULT_LIMITS,
    }),
  );
  t.is(replica.state, 'ready');
  t.is(replica.fence.epoch, 9);
  t.true(replica.onWrites(set(9, 2, 'a', 'new leader')));
  t.like(toBroker.at(-1), { type: 'ack', epoch: 9, seq: 2 });
  replica.unregistered();
  t.false(replica.onWelcome(welcome(5, 'ready', 2)), 'the leader it left is deposed now');
  t.is(replica.epoch, 9);
});

test('a node restarted from its data directory fences below the epoch of its data', (t) => {
  const engine = Object.assign(new MemoryEngine(), { recovered: { epoch: 7, seq: 40, whole: true } });
  const { toBroker, effects } = recorder();
  const replica = new Replica(engine, limits, effects);
  t.like(replica.registration('n', 'i', 'e'), { type: 'resume', epoch: 7, seq: 40 }, 'it registers with the epoch of its data');
  t.is(replica.fence.epoch, 7);
  t.false(replica.onWelcome(welcome(6, 'ready', 40)));
  t.is(replica.state, 'registering');
  t.regex(staleErrors(toBroker)[0]!.message, /welcome of epoch 6.*accepted epoch 7/);
  t.true(replica.onWelcome(welcome(8, 'ready', 40)));
  t.is(replica.state, 'ready');
});
