import test from 'ava';
import { entryBytes, evictSampleJson, type EvictionSample, type MaxmemoryPolicy, type Op, type Reply, type Write } from '@brainer/protocol';
import type { BrokerEvent } from '../src/events.js';
import { Eviction } from '../src/eviction.js';
import { Membership } from '../src/membership.js';
import { NodeRequests } from '../src/node-requests.js';
import type { Outbox } from '../src/outbox.js';
import { readyNode as node } from './node-record-fixture.js';

const LIMIT = 1_000_000;
/** The threshold for this limit: the limit less a 64 KiB headroom. */
const TRIGGER = LIMIT - 65_536;

/** An Eviction over two ready nodes, with the ops it sends, the keys it evicts and its events recorded. */
function setup(policy: MaxmemoryPolicy = 'allkeys-lru') {
  const membership = new Membership();
  const nodes = [node('a'), node('b')];
  for (const n of nodes) membership.add(n);
  const sent: { nodeId: string; op: Op }[] = [];
  const evicted: string[] = [];
  const events: BrokerEvent[] = [];
  let seq = 0;
  let now = 0;
  const outbox = { op: (peer: string, op: Op) => sent.push({ nodeId: peer, op }) } as unknown as Outbox;
  const requests = new NodeRequests(outbox, () => now, 1000);
  const eviction: Eviction = new Eviction(
    { maxmemory: LIMIT, policy, samples: 5 },
    {
      membership,
      requests,
      now: () => now,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      evict: (key, bytes) => {
        evicted.push(key);
        eviction.onSequenced(++seq, { kind: 'del', key }, bytes);
      },
      emit: (event) => events.push(event),
    },
  );
  const write = (key: string, valueBytes: number): Extract<Write, { kind: 'set' }> => ({
    kind: 'set',
    key,
    value: Buffer.alloc(valueBytes),
    expiresAt: 0,
  });
  return {
    requests,
    membership,
    nodes,
    sent,
    evicted,
    events,
    eviction,
    write,
    /** Admits and stamps a set; answers the refusal code, if any. */
    set(key: string, valueBytes: number): string | undefined {
      const w = write(key, valueBytes);
      const refused = eviction.admit(w);
      if (!refused) eviction.onSequenced(++seq, w);
      return refused?.code;
    },
    get seq() {
      return seq;
    },
    advance(ms: number) {
      now += ms;
    },
    /** Answers the last op sent to `nodeId`. */
    answer(nodeId: string, usedMemory: number, samples: EvictionSample[] = [], nodeSeq = seq): void {
      const op = sent.filter((s) => s.nodeId === nodeId).at(-1)!.op;
      const reply: Reply = { id: op.id, ok: true, value: { json: evictSampleJson({ seq: nodeSeq, usedMemory, keys: 100, samples }) } };
      requests.onReply(membership.byNodeId(nodeId)!, reply);
    },
  };
}

const sample = (key: string, idleMs: number, bytes = 10_000, volatile = false): EvictionSample => ({
  key,
  idleMs,
  frequency: 5,
  volatile,
  bytes,
});

/** Keys whose primary, among the two nodes, is `nodeId`. */
function keysOn(membership: Membership, nodeId: string, count: number, prefix = 'k'): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) if (membership.ring.primary(`${prefix}${i}`) === nodeId) keys.push(`${prefix}${i}`);
  return keys;
}

test('writes wait for the first figures, then pass while they fit; an entry larger than the limit never does', (t) => {
  const s = setup('noeviction');
  t.is(s.set('x', 10), 'ERR_NOT_READY');
  s.eviction.sweep();
  t.deepEqual(
    s.sent.map((x) => [x.nodeId, x.op.op]),
    [
      ['a', 'evict-sample'],
      ['b', 'evict-sample'],
    ],
  );
  s.answer('a', 1000);
  t.is(s.set('x', 10), undefined, 'one report is enough');
  t.is(s.set('huge', LIMIT), 'ERR_OOM');
  t.like(s.eviction.stats(), { maxmemory: LIMIT, maxmemoryPolicy: 'noeviction', usedMemory: 1000 + entryBytes(1, 10) });
});

test('noeviction refuses a write that would pass the limit, counting every write stamped since the report', (t) => {
  const s = setup('noeviction');
  s.eviction.sweep();
  s.answer('a', LIMIT - 3 * entryBytes(2, 100));
  s.answer('b', 0);
  t.is(s.set('k1', 100), undefined);
  t.is(s.set('k2', 100), undefined);
  t.is(s.set('k3', 100), undefined);
  t.is(s.set('k4', 100), 'ERR_OOM');
  t.like(s.eviction.stats(), { usedMemory: LIMIT, oomRejections: 1, evictedKeys: 0 });
});

test('past the threshold a round samples every node, keeps the keys each is primary of, and evicts the longest idle', (t) => {
  const s = setup('allkeys-lru');
  s.eviction.sweep();
  s.answer('a', 0);
  s.answer('b', 0);
  s.sent.length = 0;
  // A write that takes the estimate past the threshold starts a sampling round at once.
  t.is(s.set('big', TRIGGER), undefined);
  const asked = s.sent.map((x) => x.op as Extract<Op, { op: 'evict-sample' }>);
  t.is(asked.length, 2);
  t.true(asked.every((op) => op.count >= 16 && !op.volatile));
  const [a1, a2, a3] = keysOn(s.membership, 'a', 3);
  const [b1] = keysOn(s.membership, 'b', 1);
  const [touched] = keysOn(s.membership, 'a', 1, 'touched');
  s.set(touched!, 10); // written while the round is out: its sample may predate the write
  const used = TRIGGER + 70_000;
  const fresh = keysOn(s.membership, 'a', 17, 'fresh').map((key) => sample(key, 1));
  // a also offers b1 and a key written meanwhile: neither may go on a's word.
  s.answer('a', used, [sample(a1!, 9000), sample(a2!, 0), sample(a3!, 100), sample(b1!, 99_999), sample(touched!, 99_999), ...fresh]);
  t.deepEqual(s.evicted, [], 'the round waits for every node');
  const before = s.sent.length;
  s.answer('b', used, [sample(b1!, 50)]);
  // 21 candidates at 5 samples a key: the best 4 go, b1 ranked by its primary's 50 ms.
  t.deepEqual(s.evicted.slice(0, 3), [a1, a3, b1]);
  t.is(s.evicted.length, 4);
  t.false(s.evicted.includes(a2!));
  t.like(s.events, [{ type: 'memory:evicted', keys: 4, bytes: 40_000, usedMemory: used }]);
  t.like(s.eviction.stats(), { evictedKeys: 4, evictedBytes: 40_000, usedMemory: used - 40_000 });
  t.is(s.sent.length, before + 2, 'still past the threshold: the next round begins at once');
});

test('an evicting policy defers a write at the limit with ERR_BACKPRESSURE, and answers ERR_OOM when nothing can be evicted', (t) => {
  const s = setup('volatile-lru');
  s.eviction.sweep();
  s.answer('a', LIMIT - 50);
  s.answer('b', 0);
  t.is(s.set('k', 100), 'ERR_BACKPRESSURE');
  const op = s.sent.at(-1)!.op as Extract<Op, { op: 'evict-sample' }>;
  t.true(op.volatile, 'volatile-lru asks for keys with a TTL only');
  s.answer('a', LIMIT - 50, [sample(keysOn(s.membership, 'a', 1)[0]!, 1000, 100, false)]);
  s.answer('b', 0);
  t.deepEqual(s.evicted, [], 'a key without a TTL is never a candidate');
  t.is(s.set('k', 100), 'ERR_OOM');
  t.like(s.eviction.stats(), { oomRejections: 1, writesDeferred: 1 });
});

test('a node that does not know evict-sample is left out; with none reporting, writes are not held back', (t) => {
  const s = setup('noeviction');
  s.eviction.sweep();
  for (const nodeId of ['a', 'b']) {
    const op = s.sent.find((x) => x.nodeId === nodeId)!.op;
    s.requests.onReply(s.membership.byNodeId(nodeId)!, { id: op.id, ok: false, code: 'ERR_UNKNOWN_OP', message: 'unknown op code 11' });
  }
  t.is(s.set('k', 100), undefined);
  t.like(s.eviction.stats(), { usedMemory: null });
});

test('a round that gets no answer in time ends, and a dropped node no longer counts', (t) => {
  const s = setup('noeviction');
  s.eviction.sweep();
  s.answer('a', 5000);
  s.advance(1000);
  s.requests.sweep();
  s.eviction.sweep();
  t.is(s.sent.length, 4, 'the timed-out round ended and the next one began');
  s.answer('b', 9000);
  t.like(s.eviction.stats(), { usedMemory: 9000 });
  const b = s.membership.byNodeId('b')!;
  s.membership.remove(b);
  s.eviction.onNodeRemoved(b);
  t.like(s.eviction.stats(), { usedMemory: 5000 });
});
