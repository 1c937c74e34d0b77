import test from 'ava';
import { createPartitioner, DEFAULT_PARTITIONER, evictSampleJson, leaderInMessage, type MessageOf } from '@brainer/protocol';
import { CoreHarness, HEARTBEAT_MS, LEASE_MS, set } from './core-harness.js';

test('writes are sequenced in order and fanned out to every node; wait=all answers once every ready node acked', (t) => {
  const h = new CoreHarness();
  h.cluster(['a', 'b']);
  h.writesTo('a');
  h.writesTo('b');
  h.request('c1', set(1, 'x'), set(2, 'y'));
  const toA = h.writesTo('a');
  t.deepEqual(
    toA.map((w) => w.key),
    ['x', 'y'],
  );
  t.deepEqual(h.writesTo('b'), toA, 'every node gets the same writes under the same seqs');
  t.is(toA[1]!.seq, toA[0]!.seq + 1);
  h.ack('a', toA[1]!.seq);
  t.deepEqual(h.replies('c1'), [], 'one ready node has not applied them');
  h.ack('b', toA[0]!.seq);
  t.deepEqual(h.replies('c1'), [{ id: 1, ok: true, value: undefined }]);
  h.ack('b', toA[1]!.seq);
  t.deepEqual(h.replies('c1'), [{ id: 2, ok: true, value: undefined }]);
});

test("wait=primary answers once the key's primary acked, whatever the other nodes did", (t) => {
  const h = new CoreHarness();
  h.cluster(['a', 'b']);
  const primary = createPartitioner(DEFAULT_PARTITIONER, ['a', 'b']).primary('k')!;
  const other = primary === 'a' ? 'b' : 'a';
  h.request('c1', set(1, 'k', 'primary'));
  const [write] = h.writesTo(primary);
  h.ack(other, write!.seq);
  t.deepEqual(h.replies('c1'), []);
  h.ack(primary, write!.seq);
  t.deepEqual(h.replies('c1'), [{ id: 1, ok: true, value: undefined }]);
});

test('a retry of a write is answered from the dedup table, not sequenced again', (t) => {
  const h = new CoreHarness();
  h.cluster(['a']);
  h.request('c1', set(7, 'k'));
  const [write] = h.writesTo('a');
  h.ack('a', write!.seq);
  t.is(h.replies('c1').length, 1);
  h.request('c1', set(7, 'k'));
  t.deepEqual(h.replies('c1'), [{ id: 7, ok: true, value: undefined }]);
  t.deepEqual(h.writesTo('a'), []);
});

test('a node that dies mid-write: the write completes on the nodes left, only once the lease it may hold has run out', (t) => {
  const h = new CoreHarness();
  h.cluster(['a', 'b']);
  h.advance(HEARTBEAT_MS, ['a', 'b']);
  h.request('c1', set(1, 'k'));
  const [write] = h.writesTo('a');
  h.ack('a', write!.seq);
  // b falls silent: it is dropped after the liveness window, and its last lease runs out after that.
  const silentFrom = h.now;
  let answeredAt: number | undefined;
  while (answeredAt === undefined && h.now < silentFrom + 2000) {
    h.advance(10, ['a']);
    if (h.replies('c1').length > 0) answeredAt = h.now;
  }
  t.truthy(h.events.find((e) => e.type === 'node:lost' && e.nodeId === 'b'));
  t.not(answeredAt, undefined);
  t.true(answeredAt! >= silentFrom + LEASE_MS, `answered ${answeredAt! - silentFrom} ms after b's last heartbeat`);
  t.is(h.core.stats().ready, 1);
});

test('a join whose snapshot source dies mid-stream starts again from another ready node', (t) => {
  const h = new CoreHarness();
  h.cluster(['a', 'b']);
  h.register('c');
  const first = h.lastWelcome('c')!;
  t.like(first, { state: 'joining', reset: true });
  const source = first.sourceId;
  const other = source === 'a' ? 'b' : 'a';
  h.from(`node-${source}`, { type: 'unregister', nodeId: source });
  const second = h.lastWelcome('c')!;
  t.is(second.sourceId, other);
  t.true(second.joinId > first.joinId);
  t.truthy(h.events.find((e) => e.type === 'join:failed' && e.nodeId === 'c' && e.reason === 'source lost'));
  // The caught-up of the first join is stale; the second one's counts.
  h.from('node-c', { type: 'caught-up', joinId: first.joinId, seq: 0 });
  t.is(h.core.stats().ready, 1);
  h.caughtUp('c', h.core.stats().seq as number);
  t.is(h.core.stats().ready, 2);
});

test('with no ready source left, a joiner waits with its data, and the cluster holds writes instead of seeding from it', (t) => {
  const h = new CoreHarness();
  h.cluster(['a']);
  h.request('c1', set(1, 'k'));
  h.ack('a', h.writesTo('a')[0]!.seq);
  h.register('b');
  h.from('node-a', { type: 'unregister', nodeId: 'a' });
  t.like(h.lastWelcome('b'), { state: 'joining', reset: false, sourceId: '' });
  h.replies('c1');
  h.request('c1', set(2, 'k'));
  t.like(h.replies('c1')[0], { ok: false, code: 'ERR_NOT_READY' });
});

test('a new broker starts its epoch from the most advanced whole nodes, loads their recent writes and TTLs, then takes writes', (t) => {
  const h = new CoreHarness();
  h.core.lead();
  h.register('a', { type: 'resume', epoch: 3, seq: 10, digest: 'd10' });
  h.register('b', { type: 'resume', epoch: 3, seq: 10, digest: 'd10' });
  h.register('c', { type: 'resume', epoch: 3, seq: 8, digest: 'd8' });
  t.is(h.lastWelcome('a'), undefined, 'registrations are held while the broker recovers');
  h.request('c1', set(1, 'k'));
  t.like(h.replies('c1')[0], { ok: false, code: 'ERR_NOT_READY' });
  h.advance(h.options.startupWaitMs);
  h.core.serve();
  h.settle();
  t.like(h.lastWelcome('a'), { state: 'ready', epoch: 4, reset: false });
  t.like(h.lastWelcome('b'), { state: 'ready', epoch: 4 });
  t.like(h.lastWelcome('c'), { state: 'joining', epoch: 4, reset: true });
  t.true(['a', 'b'].includes(h.lastWelcome('c')!.sourceId));
  const asked = h.sent
    .filter((s) => s.message.type === 'request')
    .map((s) => ({ peer: s.peer, request: s.message as MessageOf<'request'> }));
  const ops = asked.flatMap(({ peer, request }) => request.ops.map((op) => ({ peer, op })));
  t.deepEqual(ops.map(({ op }) => op.op).sort(), ['expiries', 'recent']);
  h.request('c1', set(2, 'k'));
  t.like(h.replies('c1')[0], { ok: false, code: 'ERR_NOT_READY' }, 'writes wait for the recent writes and the TTLs');
  for (const { peer, op } of ops) {
    const value = op.op === 'recent' ? { json: [['c1', 9, 'set', 0]] } : { json: { sentAt: h.now, keys: [['ttl-key', h.now + 5000]] } };
    h.from(peer, { type: 'reply', replies: [{ id: op.id, ok: true, value }] });
  }
  t.is(h.core.stats().ttlKeys, 1);
  t.true(h.core.stats().takingWrites as boolean);
  h.request('c1', set(9, 'k'));
  t.deepEqual(
    h.replies('c1'),
    [{ id: 9, ok: true, value: undefined }],
    'a retry of a write the old broker acknowledged is answered, not applied',
  );
});

test('a node that comes back resyncs from the backlog: it gets the writes it missed, not a snapshot', (t) => {
  const h = new CoreHarness();
  h.cluster(['a', 'b']);
  const epoch = h.core.stats().epoch as number;
  h.request('c1', set(1, 'x'), set(2, 'y'));
  const [x, y] = h.writesTo('a');
  h.ack('a', y!.seq);
  h.ack('b', x!.seq);
  h.from('node-b', { type: 'unregister', nodeId: 'b' });
  h.take('node-b');
  h.register('b', { type: 'resume', epoch, seq: x!.seq, digest: 'dx' });
  const [catchUp, ...frames] = h.take('node-b');
  t.like(catchUp, { type: 'catch-up', epoch, fromSeq: x!.seq, seq: y!.seq });
  t.false(
    frames.some((m) => m.type === 'welcome'),
    'no snapshot join',
  );
  // Backlog frames are sent whole; the node skips what it holds by seq.
  const after = frames.flatMap((m) =>
    m.type === 'writes'
      ? m.writes.map((w, i) => ({ seq: m.firstSeq + i, key: 'key' in w ? w.key : '' })).filter((w) => w.seq > x!.seq)
      : [],
  );
  t.deepEqual(after, [{ seq: y!.seq, key: 'y' }]);
});

test('a key with a TTL is deleted through the log when its time is up on the broker clock', (t) => {
  const h = new CoreHarness();
  h.cluster(['a']);
  h.request('c1', set(1, 'k', 'all', 1000));
  h.ack('a', h.writesTo('a')[0]!.seq);
  h.advance(990, ['a']);
  t.deepEqual(h.writesTo('a'), []);
  h.advance(70, ['a']);
  t.like(h.writesTo('a'), [{ kind: 'del', key: 'k' }]);
  t.is(h.core.stats().expiredKeys, 1);
});

test('past maxmemory, a write is deferred while eviction samples the nodes and deletes the best candidate through the log', (t) => {
  const h = new CoreHarness({ maxmemory: 1_000_000, maxmemoryPolicy: 'allkeys-lru', maxmemorySamples: 1 });
  h.cluster(['a']);
  const answer = (usedMemory: number, samples: { key: string; idleMs: number }[]) => {
    const [request] = h.take('node-a').filter((m): m is MessageOf<'request'> => m.type === 'request');
    const op = request!.ops.find((o) => o.op === 'evict-sample')!;
    const json = evictSampleJson({
      seq: h.core.stats().seq as number,
      usedMemory,
      keys: 100,
      samples: samples.map((s) => ({ ...s, frequency: 1, volatile: false, bytes: 100_000 })),
    });
    h.from('node-a', { type: 'reply', replies: [{ id: op.id, ok: true, value: { json } }] });
  };
  h.take('node-a');
  h.advance(60, ['a']);
  answer(999_990, []);
  h.request('c1', set(1, 'big'));
  t.like(h.replies('c1')[0], { ok: false, code: 'ERR_BACKPRESSURE' });
  answer(999_990, [{ key: 'old', idleMs: 60_000 }]);
  t.like(h.writesTo('a'), [{ kind: 'del', key: 'old' }]);
  t.like(h.core.stats(), { evictedKeys: 1 });
});

test('a deposed broker sends nothing: not the acknowledgement of a write, not a heartbeat answer', (t) => {
  const h = new CoreHarness();
  h.cluster(['a']);
  h.request('c1', set(1, 'k'));
  const [write] = h.writesTo('a');
  h.core.depose();
  h.ack('a', write!.seq);
  h.heartbeat('a');
  h.advance(500);
  t.deepEqual(h.sent, []);
  t.is(h.core.stats().state, 'deposed');
});

test('a standby answers ping and stats, and everything else with ERR_NOT_LEADER naming the leader', (t) => {
  const h = new CoreHarness();
  h.request('c1', { op: 'ping', id: 1 }, { op: 'stats', id: 2 }, set(3, 'k'), { op: 'get', id: 4, key: 'k' });
  const [ping, stats, write, read] = h.replies('c1');
  t.like(ping, { id: 1, ok: true });
  t.like(stats, { id: 2, ok: true, value: { json: { role: 'standby', leader: 'tcp://127.0.0.1:7001', state: 'standby' } } });
  for (const reply of [write, read]) {
    t.like(reply, { ok: false, code: 'ERR_NOT_LEADER' });
    t.is(leaderInMessage(reply!.ok ? '' : reply!.message), 'tcp://127.0.0.1:7001');
  }
  h.register('a');
  const [refusal] = h.take('node-a');
  t.like(refusal, { type: 'error', code: 'ERR_NOT_LEADER' });
  t.is(h.core.stats().nodes, 0, 'a standby records no node');
});

test('a leader whose lease may have lapsed sends nothing, though the acks are in', (t) => {
  const h = new CoreHarness();
  h.cluster(['a']);
  h.request('c1', set(1, 'k'));
  const [write] = h.writesTo('a');
  h.leaseAlive = false;
  h.ack('a', write!.seq);
  h.heartbeat('a');
  t.deepEqual(h.sent, []);
  h.leaseAlive = true;
  h.request('c1', { op: 'ping', id: 2 });
  t.like(h.replies('c1'), [{ id: 2, ok: true }], 'the gate opens again with the lease');
});

test('a leader acknowledges nothing until the hold it leads with has passed: a whole lease by default, less after an elected predecessor', (t) => {
  const answeredAfter = (holdMs: number | undefined): number => {
    const h = new CoreHarness();
    const ledAt = h.now;
    if (holdMs === undefined) h.core.lead();
    else h.core.lead(holdMs);
    h.core.serve();
    h.register('a');
    h.request('c1', set(1, 'k'));
    const [write] = h.writesTo('a');
    h.ack('a', write!.seq);
    while (h.replies('c1').length === 0) h.advance(10);
    return h.now - ledAt;
  };
  const byDefault = answeredAfter(undefined);
  t.true(byDefault >= LEASE_MS && byDefault <= LEASE_MS + 20, `answered ${byDefault} ms after leading`);
  const afterPredecessor = answeredAfter(60);
  t.true(afterPredecessor >= 60 && afterPredecessor <= 80, `answered ${afterPredecessor} ms after leading`);
});

test('a node whose data is not whole, of an epoch above the cluster, is kept out with ERR_DATA_AHEAD, not welcomed below its fence', (t) => {
  const h = new CoreHarness();
  h.cluster(['a']);
  const epoch = h.core.stats().epoch as number;
  h.take('node-b');
  h.register('b', { type: 'register', epoch: epoch + 5, seq: 7, digest: 'd7' });
  const sent = h.take('node-b');
  t.is(h.lastWelcome('b'), undefined, 'no welcome in an epoch its fence refuses');
  t.like(sent[0], { type: 'error', code: 'ERR_DATA_AHEAD' });
  t.regex((sent[0] as { message: string }).message, new RegExp(`epoch ${epoch + 5}, above this cluster's epoch ${epoch}`));
  // A node of the cluster's epoch or below still joins.
  h.register('c', { type: 'register', epoch, seq: 0, digest: '' });
  t.like(h.lastWelcome('c'), { state: 'joining', epoch });
});
