import test from 'ava';
import { BrainerError, DEFAULT_LIMITS, decode, silentLogger, type Message, type MessageOf, type Write } from '@brainer/protocol';
import { MemoryEngine, Replica, type ReplicaEffects } from '../src/index.js';
import { SnapshotServer } from '../src/snapshot-server.js';

type Batch = MessageOf<'writes'>;

function welcome(state: 'ready' | 'joining', seq: number, joinId = 0): MessageOf<'welcome'> {
  return {
    type: 'welcome',
    epoch: 1,
    state,
    seq,
    reset: state === 'joining',
    joinId,
    sourceId: 'src',
    sourceEndpoint: 'inproc://src',
    heartbeatMs: 100,
    leaseMs: 200,
    limits: DEFAULT_LIMITS,
  };
}

function recorder() {
  const toBroker: Message[] = [];
  const resyncs: string[] = [];
  const snapshots: { joinId: number; minSeq: number }[] = [];
  const effects: ReplicaEffects = {
    toBroker: (message) => toBroker.push(message),
    startSnapshot: (joinId, _endpoint, minSeq) => snapshots.push({ joinId, minSeq }),
    stopSnapshot: () => {},
    resync: (reason) => resyncs.push(reason),
    storageFailed: () => {},
    emit: () => {},
  };
  return { toBroker, resyncs, snapshots, effects };
}

/** A snapshot server whose messages are decoded into `sent` instead of going to a socket. */
function recordingServer(source: Replica, chunkEntries: number): { server: SnapshotServer; sent: Message[] } {
  const sent: Message[] = [];
  const server = new SnapshotServer(
    source,
    (_peer, frame) => sent.push(decode(frame)),
    chunkEntries,
    60_000,
    () => 0,
    silentLogger,
  );
  return { server, sent };
}

const limits = { joinBufferWrites: 1_000_000, joinBufferBytes: 1 << 30 };

/** A small deterministic PRNG, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomWrite(random: () => number, n: number): Write {
  const key = `k${Math.floor(random() * 300)}`;
  return random() < 0.25 ? { kind: 'del', key } : { kind: 'set', key, value: Buffer.from(`v${n}`), expiresAt: 0 };
}

test('a ready replica applies writes in order and acks cumulatively with the deletes that removed a key', (t) => {
  const { toBroker, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('ready', 0));
  replica.onWrites({
    type: 'writes',
    epoch: 1,
    firstSeq: 1,
    sentAt: 0,
    writes: [
      { kind: 'set', key: 'a', value: Buffer.from('1'), expiresAt: 0 },
      { kind: 'del', key: 'a' },
      { kind: 'del', key: 'missing' },
    ],
  });
  t.is(replica.position, 3);
  t.deepEqual(toBroker.at(-1), { type: 'ack', epoch: 1, seq: 3, removed: [2] });
  t.is(replica.engine.size, 0);
});

test('an engine that cannot persist gets no ack sent, and the replica acknowledges nothing after it', (t) => {
  const { toBroker, effects } = recorder();
  const failures: Error[] = [];
  const engine = new MemoryEngine();
  let full = false;
  // An engine that persists, on a disk that fills up.
  const persisting = Object.assign(engine, {
    commit: () => {
      if (full) throw new BrainerError('ERR_STORAGE', 'ENOSPC: no space left on device, write');
    },
  });
  const replica = new Replica(persisting, limits, { ...effects, storageFailed: (error) => failures.push(error) });
  replica.onWelcome(welcome('ready', 0));
  const write = (seq: number): Batch => ({ type: 'writes', epoch: 1, firstSeq: seq, sentAt: 0, writes: [{ kind: 'del', key: `k${seq}` }] });
  replica.onWrites(write(1));
  t.like(toBroker.at(-1), { type: 'ack', seq: 1 });
  full = true;
  replica.onWrites(write(2));
  full = false;
  replica.onWrites(write(3));
  t.deepEqual(
    toBroker.filter((message) => message.type === 'ack').map((message) => (message as MessageOf<'ack'>).seq),
    [1],
  );
  t.is(failures.length, 1);
  t.like(failures[0], { code: 'ERR_STORAGE' });
});

test('a gap in the stream triggers a resync instead of being skipped', (t) => {
  const { resyncs, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('ready', 0));
  replica.onWrites({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 0, writes: [{ kind: 'del', key: 'a' }] });
  replica.onWrites({ type: 'writes', epoch: 1, firstSeq: 3, sentAt: 0, writes: [{ kind: 'del', key: 'a' }] });
  t.is(resyncs.length, 1);
  t.regex(resyncs[0]!, /jumped from seq 1 to 3/);
  t.is(replica.state, 'registering');
  t.is(replica.position, 1, 'nothing past the gap was applied');
});

test('writes from a newer epoch trigger a resync', (t) => {
  const { resyncs, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('ready', 0));
  replica.onWrites({ type: 'writes', epoch: 2, firstSeq: 1, sentAt: 0, writes: [{ kind: 'del', key: 'a' }] });
  t.is(resyncs.length, 1);
});

test('writes from an older epoch, sent before the new one started, are refused without a resync', (t) => {
  const { resyncs, effects, toBroker } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome({ ...welcome('ready', 5), epoch: 2 });
  replica.onWrites({
    type: 'writes',
    epoch: 1,
    firstSeq: 6,
    sentAt: 0,
    writes: [{ kind: 'set', key: 'a', value: Buffer.from('v'), expiresAt: 0 }],
  });
  t.is(resyncs.length, 0);
  t.is(replica.state, 'ready');
  t.is(replica.position, 5);
  t.is(replica.engine.size, 0, 'nothing of the old epoch was applied');
  t.false(toBroker.some((message) => message.type === 'ack'));
});

test('duplicate writes already applied are skipped', (t) => {
  const { effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('ready', 0));
  const batch: Batch = {
    type: 'writes',
    epoch: 1,
    firstSeq: 1,
    sentAt: 0,
    writes: [{ kind: 'set', key: 'a', value: Buffer.from('1'), expiresAt: 0 }],
  };
  replica.onWrites(batch);
  replica.onWrites({
    type: 'writes',
    epoch: 1,
    firstSeq: 2,
    sentAt: 0,
    writes: [{ kind: 'set', key: 'a', value: Buffer.from('2'), expiresAt: 0 }],
  });
  replica.onWrites(batch);
  t.is(replica.engine.get('a', 0)?.value.toString(), '2');
});

test('an overflowing join buffer fails the join and tells the broker', (t) => {
  const { toBroker, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), { joinBufferWrites: 3, joinBufferBytes: 1 << 20 }, effects);
  replica.onWelcome(welcome('joining', 10, 7));
  for (let seq = 11; seq <= 14; seq++)
    replica.onWrites({ type: 'writes', epoch: 1, firstSeq: seq, sentAt: 0, writes: [{ kind: 'del', key: 'a' }] });
  t.like(toBroker.at(-1), { type: 'join-failed', joinId: 7 });
  t.regex((toBroker.at(-1) as MessageOf<'join-failed'>).reason, /buffer overflow/);
  t.is(replica.state, 'registering');
});

test('a replica that is joining registers (not resume) with the epoch and seq it had loaded, so the broker knows it held data', (t) => {
  const { effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('joining', 10, 1));
  t.true(replica.joiningFromSource);
  t.like(replica.registration('n', 'i', 'e'), { type: 'register', epoch: 1, seq: 10 });
});

test('a welcome to join with no source keeps the data and position, serves nothing, and waits', (t) => {
  const { snapshots, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('joining', 10, 1));
  replica.onSnapshotBegin({ type: 'snapshot-begin', joinId: 1, seq: 10, totalKeys: 2 });
  replica.onSnapshotChunk({
    type: 'snapshot-chunk',
    joinId: 1,
    sentAt: 0,
    entries: [{ key: 'a', value: Buffer.from('1'), seq: 3, expiresAt: 0 }],
  });
  replica.onWelcome({ ...welcome('joining', 50, 2), reset: false, sourceId: '', sourceEndpoint: '' });
  t.is(snapshots.length, 1, 'no snapshot is asked of anyone');
  t.is(replica.state, 'joining');
  t.false(replica.joiningFromSource);
  t.is(replica.engine.size, 1, 'what it had loaded is kept');
  t.like(replica.registration('n', 'i', 'e'), { type: 'register', epoch: 1, seq: 10 });
});

/**
 * Runs a join against a source that keeps applying random writes, with the source's stream, the
 * joiner's stream and the snapshot chunks all delivered in a random interleaving, and checks that
 * the joiner ends with exactly the source's content.
 */
function simulateJoin(seed: number): { joiner: Replica; source: Replica; caughtUp: Message | undefined; finalSeq: number } {
  const random = prng(seed);
  const sourceLog = recorder();
  const joinerLog = recorder();
  const source = new Replica(new MemoryEngine(), limits, sourceLog.effects);
  const joiner = new Replica(new MemoryEngine(), limits, joinerLog.effects);
  source.onWelcome(welcome('ready', 0));
  let seq = 0;
  const toSource: Batch[] = [];
  const toJoiner: Batch[] = [];
  const issue = (joinerListening: boolean) => {
    const writes = Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomWrite(random, seq));
    const batch: Batch = { type: 'writes', epoch: 1, firstSeq: seq + 1, sentAt: 0, writes };
    seq += writes.length;
    toSource.push(batch);
    if (joinerListening) toJoiner.push(batch);
  };
  for (let i = 0; i < 600; i++) issue(false);
  // The source has applied only part of the stream when the joiner arrives.
  while (toSource.length > 40) source.onWrites(toSource.shift()!);
  joiner.onWelcome(welcome('joining', seq, 1));
  const peer = Buffer.from('joiner');
  const { server, sent: snapshotMessages } = recordingServer(source, 3);
  const deliverSnapshot = (message: Message): void => {
    if (message.type === 'snapshot-begin') joiner.onSnapshotBegin(message);
    if (message.type === 'snapshot-chunk' && joiner.onSnapshotChunk(message))
      server.onCredit(peer, { type: 'snapshot-credit', joinId: 1, credit: 1 });
    if (message.type === 'snapshot-end') joiner.onSnapshotEnd(message);
  };
  server.onRequest(peer, { type: 'snapshot-request', joinId: 1, minSeq: seq, credit: 1 });
  for (let step = 0; step < 4000; step++) {
    const roll = random();
    if (roll < 0.3 && step < 2500) issue(true);
    else if (roll < 0.6 && toSource.length > 0) {
      source.onWrites(toSource.shift()!);
      server.pump();
    } else if (roll < 0.8 && toJoiner.length > 0) joiner.onWrites(toJoiner.shift()!);
    else if (snapshotMessages.length > 0) deliverSnapshot(snapshotMessages.shift()!);
  }
  while (toSource.length > 0) {
    source.onWrites(toSource.shift()!);
    server.pump();
  }
  while (snapshotMessages.length > 0 || toJoiner.length > 0) {
    const message = snapshotMessages.shift();
    if (message) deliverSnapshot(message);
    else joiner.onWrites(toJoiner.shift()!);
  }
  return { joiner, source, caughtUp: joinerLog.toBroker.find((m) => m.type === 'caught-up'), finalSeq: seq };
}

for (const seed of [1, 2, 3, 42, 1234, 99_999]) {
  test(`a join under live writes ends with the source's exact content (seed ${seed})`, (t) => {
    const { joiner, source, caughtUp, finalSeq } = simulateJoin(seed);
    t.is(source.position, finalSeq);
    t.is(joiner.state, 'ready');
    t.truthy(caughtUp, 'the joiner reported caught up');
    t.is(joiner.position, finalSeq);
    t.is(joiner.engine.size, source.engine.size);
    t.is(joiner.engine.digest, source.engine.digest);
  });
}

test("the snapshot starts only once the source has applied the joiner's minSeq", (t) => {
  const { effects } = recorder();
  const source = new Replica(new MemoryEngine(), limits, effects);
  source.onWelcome(welcome('ready', 0));
  const { server, sent } = recordingServer(source, 10);
  server.onRequest(Buffer.from('j'), { type: 'snapshot-request', joinId: 1, minSeq: 2, credit: 4 });
  t.is(sent.length, 0);
  source.onWrites({
    type: 'writes',
    epoch: 1,
    firstSeq: 1,
    sentAt: 0,
    writes: [
      { kind: 'set', key: 'a', value: Buffer.from('1'), expiresAt: 0 },
      { kind: 'set', key: 'b', value: Buffer.from('2'), expiresAt: 0 },
    ],
  });
  server.pump();
  t.like(sent[0], { type: 'snapshot-begin', seq: 2, totalKeys: 2 });
  t.like(sent.at(-1), { type: 'snapshot-end', count: 2 });
});

test('a source that is not ready refuses the snapshot', (t) => {
  const { effects } = recorder();
  const source = new Replica(new MemoryEngine(), limits, effects);
  const { server, sent } = recordingServer(source, 10);
  server.onRequest(Buffer.from('j'), { type: 'snapshot-request', joinId: 1, minSeq: 0, credit: 4 });
  t.like(sent[0], { type: 'error', code: 'ERR_NOT_READY' });
});

function catchUp(fromSeq: number, seq: number, joinId = 5, epoch = 1): MessageOf<'catch-up'> {
  return { type: 'catch-up', epoch, fromSeq, seq, joinId, heartbeatMs: 100, leaseMs: 200, limits: DEFAULT_LIMITS };
}

/** A ready replica that has applied `batches`. */
function readyReplica(batches: Batch[]): Replica {
  const replica = new Replica(new MemoryEngine(), limits, recorder().effects);
  replica.onWelcome(welcome('ready', 0));
  for (const batch of batches) replica.onWrites(batch);
  return replica;
}

function randomBatches(seed: number, count: number): Batch[] {
  const random = prng(seed);
  const batches: Batch[] = [];
  let seq = 0;
  for (let i = 0; i < count; i++) {
    const writes = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomWrite(random, seq));
    batches.push({ type: 'writes', epoch: 1, firstSeq: seq + 1, sentAt: 0, writes });
    seq += writes.length;
  }
  return batches;
}

test('a replica whose store is whole asks to resume; a fresh or partial one registers', (t) => {
  const fresh = new Replica(new MemoryEngine(), limits, recorder().effects);
  t.like(fresh.registration('n', 'i', 'e'), { type: 'register', epoch: 0, seq: 0 });
  const ready = readyReplica(randomBatches(1, 10));
  ready.unregistered();
  t.like(ready.registration('n', 'i', 'e'), { type: 'resume', epoch: 1, seq: ready.position, digest: ready.engine.digest });
  ready.onWelcome(welcome('joining', 100, 3));
  t.like(ready.registration('n', 'i', 'e'), { type: 'register', epoch: 1, seq: 100 });
});

for (const seed of [7, 8, 9]) {
  test(`a partial resync applies the missed writes and the live stream after them, and ends equal (seed ${seed})`, (t) => {
    const batches = randomBatches(seed, 300);
    const source = readyReplica(batches);
    // The lagger stopped after 120 batches; it comes back with its store whole at that position.
    const { toBroker, effects } = recorder();
    const lagger = new Replica(new MemoryEngine(), limits, effects);
    lagger.onWelcome(welcome('ready', 0));
    for (const batch of batches.slice(0, 120)) lagger.onWrites(batch);
    lagger.unregistered();
    const from = lagger.position;
    const target = batches[250]!.firstSeq - 1;
    const sentBefore = toBroker.length;
    lagger.onCatchUp(catchUp(from, target));
    t.is(lagger.state, 'joining');
    t.false(lagger.joiningFromSource, 'no snapshot source to time out on');
    // The backlog's first frame may start before `from`: the overlap is skipped.
    for (const batch of batches.slice(110, 250)) {
      lagger.onWrites(batch);
      if (lagger.position < target) t.is(lagger.state, 'joining', 'no reads before it is caught up');
    }
    t.is(lagger.state, 'ready');
    t.like(
      toBroker.find((m) => m.type === 'caught-up'),
      { joinId: 5, seq: target },
    );
    t.false(
      toBroker.slice(sentBefore).some((m) => m.type === 'ack' && m.seq <= target),
      'no acks while catching up',
    );
    for (const batch of batches.slice(250)) lagger.onWrites(batch);
    t.is(lagger.position, source.position);
    t.is(lagger.engine.digest, source.engine.digest);
    t.like(toBroker.at(-1), { type: 'ack', seq: source.position });
  });
}

test('a partial resync from where a new epoch started takes on the new epoch', (t) => {
  const replica = readyReplica(randomBatches(3, 20));
  replica.unregistered();
  const at = replica.position;
  replica.onCatchUp(catchUp(at + 5, at + 7, 9, 2));
  t.is(replica.epoch, 2);
  t.is(replica.position, at + 5);
  replica.onWrites({
    type: 'writes',
    epoch: 2,
    firstSeq: at + 6,
    sentAt: 0,
    writes: [
      { kind: 'del', key: 'x' },
      { kind: 'del', key: 'y' },
    ],
  });
  t.is(replica.state, 'ready');
});

test('a gap while catching up keeps the store whole, so the node asks to resume again', (t) => {
  const { resyncs, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('ready', 0));
  for (const batch of randomBatches(4, 10)) replica.onWrites(batch);
  replica.unregistered();
  const at = replica.position;
  replica.onCatchUp(catchUp(at, at + 10));
  replica.onWrites({ type: 'writes', epoch: 1, firstSeq: at + 3, sentAt: 0, writes: [{ kind: 'del', key: 'x' }] });
  t.is(resyncs.length, 1);
  t.like(replica.registration('n', 'i', 'e'), { type: 'resume', seq: at });
});

test('a catch-up for a store that is not whole is refused, so the broker starts a full join', (t) => {
  const { toBroker, effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects);
  replica.onWelcome(welcome('joining', 10, 1));
  replica.unregistered();
  replica.onCatchUp(catchUp(10, 12, 6));
  t.like(toBroker.at(-1), { type: 'join-failed', joinId: 6 });
  t.is(replica.state, 'registering');
});

test('a delete applied while catching up is remembered with what it removed, as a retry will be answered', (t) => {
  const replica = readyReplica([
    { type: 'writes', epoch: 1, firstSeq: 1, sentAt: 0, writes: [{ kind: 'set', key: 'k', value: Buffer.from('v'), expiresAt: 0 }] },
  ]);
  replica.unregistered();
  replica.onCatchUp(catchUp(1, 3));
  const origin = (opId: number) => ({ client: 'c-1', opId });
  replica.onWrites({
    type: 'writes',
    epoch: 1,
    firstSeq: 2,
    sentAt: 0,
    writes: [
      { kind: 'del', key: 'k', origin: origin(7) },
      { kind: 'del', key: 'absent', origin: origin(8) },
    ],
  });
  t.is(replica.state, 'ready');
  t.deepEqual(replica.recent.list(), [
    ['c-1', 7, 'del', 1],
    ['c-1', 8, 'del', 0],
  ]);
});

/** A clock that a test moves by hand. */
function manualClock(start: number): { now: () => number; advance: (ms: number) => void } {
  let at = start;
  return { now: () => at, advance: (ms) => (at += ms) };
}

const ttlSet = (key: string, expiresAt: number): Write => ({ kind: 'set', key, value: Buffer.from('v'), expiresAt });

test("a node whose clock is far from the broker's keeps a TTL key for the time the broker gave it", (t) => {
  for (const offset of [30_000, -30_000, 1e12]) {
    const clock = manualClock(1_000_000 + offset);
    const replica = new Replica(new MemoryEngine(), limits, recorder().effects, clock.now);
    replica.onWelcome(welcome('ready', 0));
    // The broker's clock reads 1,000,000 as it sends a write with 5,000 ms left.
    replica.onWrites({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 1_000_000, writes: [ttlSet('k', 1_005_000)] });
    clock.advance(4_900);
    t.truthy(replica.engine.get('k', clock.now()), `live 100 ms before its TTL, offset ${offset}`);
    clock.advance(200);
    t.is(replica.engine.get('k', clock.now()), undefined, `hidden 100 ms after its TTL, offset ${offset}`);
  }
});

test("a joiner's buffered TTL write runs its time left from when it arrived, not from when it is replayed", (t) => {
  const clock = manualClock(50_000);
  const joiner = new Replica(new MemoryEngine(), limits, recorder().effects, clock.now);
  joiner.onWelcome(welcome('joining', 0, 1));
  joiner.onWrites({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 7, writes: [ttlSet('k', 3_007)] });
  joiner.onSnapshotBegin({ type: 'snapshot-begin', joinId: 1, seq: 0, totalKeys: 0 });
  clock.advance(2_000);
  joiner.onSnapshotEnd({ type: 'snapshot-end', joinId: 1, count: 0 });
  t.is(joiner.state, 'ready');
  clock.advance(900);
  t.truthy(joiner.engine.get('k', clock.now()), 'live 100 ms before its TTL');
  clock.advance(200);
  t.is(joiner.engine.get('k', clock.now()), undefined, '3 s after it arrived, not 3 s after the replay');
});

test("a snapshot moves each TTL from the source's clock to the joiner's, whatever their offset", (t) => {
  const sourceClock = manualClock(2_000_000);
  const source = new Replica(new MemoryEngine(), limits, recorder().effects, sourceClock.now);
  source.onWelcome(welcome('ready', 0));
  source.onWrites({
    type: 'writes',
    epoch: 1,
    firstSeq: 1,
    sentAt: 0,
    writes: [ttlSet('short', 4_000), ttlSet('never', 0), ttlSet('gone', 10)],
  });
  sourceClock.advance(1_000);
  const joinerClock = manualClock(2_000_000 - 30_000);
  const joiner = new Replica(new MemoryEngine(), limits, recorder().effects, joinerClock.now);
  joiner.onWelcome(welcome('joining', 3, 1));
  const { server, sent } = recordingServer(source, 10);
  server.onRequest(Buffer.from('j'), { type: 'snapshot-request', joinId: 1, minSeq: 3, credit: 4 });
  for (const message of sent) {
    if (message.type === 'snapshot-begin') joiner.onSnapshotBegin(message);
    if (message.type === 'snapshot-chunk') joiner.onSnapshotChunk(message);
    if (message.type === 'snapshot-end') joiner.onSnapshotEnd(message);
  }
  t.is(joiner.state, 'ready');
  t.is(joiner.engine.size, 3, 'expired entries travel too, until the broker deletes them');
  t.is(joiner.engine.get('gone', joinerClock.now()), undefined);
  t.truthy(joiner.engine.get('never', joinerClock.now() + 1e9));
  joinerClock.advance(2_900);
  t.truthy(joiner.engine.get('short', joinerClock.now()), '3 s were left when the source sent it');
  joinerClock.advance(200);
  t.is(joiner.engine.get('short', joinerClock.now()), undefined);
});

test("a write read late runs its TTL from the broker's send, by the clock learnt from heartbeats", (t) => {
  let wall = 1_000_000;
  const { effects } = recorder();
  const replica = new Replica(new MemoryEngine(), limits, effects, () => wall);
  replica.onWelcome(welcome('ready', 0));
  // A heartbeat answer stamped 50_000 by the broker arrived when this node's clock read 1_000_001.
  replica.brokerClock.addSample(50_000, wall + 1);
  // The broker sent a set with 10 s to live at its 50_000; this node was paused and reads it 7 s later.
  wall += 7000;
  const set: Write = { kind: 'set', key: 'a', value: Buffer.from('1'), expiresAt: 60_000 };
  replica.onWrites({ type: 'writes', epoch: 1, firstSeq: 1, sentAt: 50_000, writes: [set] });
  t.is(
    replica.engine.get('a', wall)?.expiresAt,
    1_010_001,
    "expires 10 s after the send (at most that answer's transit later), not after the read",
  );
  // Before any round trip, the receipt is all there is to go by.
  replica.brokerClock.reset();
  replica.onWrites({ type: 'writes', epoch: 1, firstSeq: 2, sentAt: 50_000, writes: [{ ...set, key: 'b' }] });
  t.is(replica.engine.get('b', wall)?.expiresAt, 1_017_000);
});
