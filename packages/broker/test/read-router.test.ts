import test from 'ava';
import type { Op, Reply } from '@brainer/protocol';
import { Membership } from '../src/membership.js';
import { NodeRequests } from '../src/node-requests.js';
import type { Outbox } from '../src/outbox.js';
import { ReadRouter, type ReadCandidates } from '../src/read-router.js';
import { readyNode } from './node-record-fixture.js';

const TIMEOUT_MS = 100;

/** A router over ready nodes a, b and c, with what it sends to nodes and answers to the client recorded. */
function setup() {
  const membership = new Membership();
  const nodes = new Map(['a', 'b', 'c'].map((id) => [id, readyNode(id)]));
  for (const node of nodes.values()) membership.add(node);
  const forwarded: { nodeId: string; op: Op }[] = [];
  const answers: Reply[] = [];
  let now = 0;
  const outbox = {
    op: (peer: string, op: Op) => forwarded.push({ nodeId: peer, op }),
    reply: (_peer: string, reply: Reply) => answers.push(reply),
  } as unknown as Outbox;
  const requests = new NodeRequests(outbox, () => now, TIMEOUT_MS);
  const router = new ReadRouter(membership, requests, outbox);
  const target = { peer: 'client', opId: 7 };
  let listsWorkedOut = 0;
  const candidates = (first: string, rest: string[]): ReadCandidates => ({
    first,
    all: () => {
      listsWorkedOut++;
      return [first, ...rest];
    },
  });
  return {
    requests,
    nodes,
    forwarded,
    answers,
    router,
    target,
    candidates,
    listsWorkedOut: () => listsWorkedOut,
    advance: (ms: number) => (now += ms),
  };
}

const value = (text: string): Reply => ({ id: 0, ok: true, value: Buffer.from(text) });

test('a read goes to the first candidate, and the rest of the list is never worked out when it answers', (t) => {
  const s = setup();
  s.router.route(s.target, { op: 'get', id: 7, key: 'k' }, s.candidates('b', ['c', 'a']));
  t.deepEqual(
    s.forwarded.map((f) => f.nodeId),
    ['b'],
  );
  s.requests.onReply(s.nodes.get('b')!, { ...value('v'), id: s.forwarded[0]!.op.id });
  t.deepEqual(s.answers, [{ ...value('v'), id: 7 }]);
  t.is(s.listsWorkedOut(), 0);
});

test('a refusal moves the read on in list order, skipping the first candidate', (t) => {
  const s = setup();
  s.router.route(s.target, { op: 'get', id: 7, key: 'k' }, s.candidates('b', ['c', 'a']));
  s.requests.onReply(s.nodes.get('b')!, { id: s.forwarded[0]!.op.id, ok: false, code: 'ERR_NO_LEASE', message: 'no lease' });
  s.requests.onReply(s.nodes.get('c')!, { id: s.forwarded[1]!.op.id, ok: false, code: 'ERR_NOT_READY', message: 'joining' });
  s.requests.onReply(s.nodes.get('a')!, { ...value('from a'), id: s.forwarded[2]!.op.id });
  t.deepEqual(
    s.forwarded.map((f) => f.nodeId),
    ['b', 'c', 'a'],
  );
  t.deepEqual(s.answers, [{ ...value('from a'), id: 7 }]);
  t.is(s.listsWorkedOut(), 1);
});

test('a node that does not answer in time is passed over, and its late answer is ignored', (t) => {
  const s = setup();
  s.router.route(s.target, { op: 'get', id: 7, key: 'k' }, s.candidates('b', ['c', 'a']));
  s.advance(TIMEOUT_MS + 1);
  s.requests.sweep();
  t.deepEqual(
    s.forwarded.map((f) => f.nodeId),
    ['b', 'c'],
  );
  s.requests.onReply(s.nodes.get('b')!, { ...value('late'), id: s.forwarded[0]!.op.id });
  t.deepEqual(s.answers, []);
  s.requests.onReply(s.nodes.get('c')!, { ...value('from c'), id: s.forwarded[1]!.op.id });
  t.deepEqual(s.answers, [{ ...value('from c'), id: 7 }]);
});

test('a node that is not ready is never asked, and with every node refusing the client gets the last refusal', (t) => {
  const s = setup();
  s.nodes.get('c')!.state = 'joining';
  s.router.route(s.target, { op: 'get', id: 7, key: 'k' }, s.candidates('b', ['c', 'a']));
  s.requests.onReply(s.nodes.get('b')!, { id: s.forwarded[0]!.op.id, ok: false, code: 'ERR_NO_LEASE', message: 'no lease' });
  s.requests.onReply(s.nodes.get('a')!, { id: s.forwarded[1]!.op.id, ok: false, code: 'ERR_NO_LEASE', message: 'no lease on a' });
  t.deepEqual(
    s.forwarded.map((f) => f.nodeId),
    ['b', 'a'],
  );
  t.deepEqual(s.answers, [{ id: 7, ok: false, code: 'ERR_NO_LEASE', message: 'no lease on a' }]);
});

test('with no candidate at all the client gets ERR_NO_NODES', (t) => {
  const s = setup();
  s.router.route(s.target, { op: 'get', id: 7, key: 'k' }, { first: undefined, all: () => [] });
  t.deepEqual(s.forwarded, []);
  t.is(s.answers[0]?.ok, false);
  t.is(s.answers[0]?.ok === false ? s.answers[0].code : undefined, 'ERR_NO_NODES');
});
