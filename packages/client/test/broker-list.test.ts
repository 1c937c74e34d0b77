import test from 'ava';
import { notLeaderMessage } from '@brainer/protocol';
import { BrokerList } from '../src/broker-list.js';

const A = 'tcp://127.0.0.1:5001';
const B = 'tcp://127.0.0.1:5002';
const C = 'tcp://127.0.0.1:5003';

test('takes one endpoint, E1,E2 or a list, in order and without duplicates', (t) => {
  t.deepEqual(new BrokerList(A).endpoints, [A]);
  t.deepEqual(new BrokerList(`${A}, ${B},${A}`).endpoints, [A, B]);
  t.deepEqual(new BrokerList([B, A]).endpoints, [B, A]);
  t.is(new BrokerList([B, A]).current, B, 'it starts with the first');
  t.false(new BrokerList(A).several);
  t.true(new BrokerList([A, B]).several);
});

test('names the field and the bad item of a malformed list', (t) => {
  for (const [brokers, field, bad] of [
    ['nope', 'endpoint', 'nope'],
    [`${A},nope`, '--broker', 'nope'],
    [[A, 'tcp://x'], '--broker', 'tcp://x'],
  ] as const) {
    const error = t.throws(() => new BrokerList(brokers, field));
    t.is((error as { code?: string }).code, 'ERR_INVALID_OPTION');
    t.true(error.message.includes(`"${field}"`) && error.message.includes(`"${bad}"`), error.message);
  }
  for (const wrong of [5, null, [A, 5]]) {
    t.is((t.throws(() => new BrokerList(wrong as unknown as string)) as { code?: string }).code, 'ERR_INVALID_OPTION', String(wrong));
  }
  for (const empty of [',', ' ', []]) t.is((t.throws(() => new BrokerList(empty)) as { code?: string }).code, 'ERR_INVALID_OPTION');
});

test('ERR_NOT_LEADER naming the leader moves there, in the list or not', (t) => {
  const brokers = new BrokerList([A, B, C]);
  t.is(brokers.afterNotLeader(notLeaderMessage(C)), C);
  t.is(brokers.current, C);
  t.is(brokers.next(), A, 'the list goes on from the leader named');

  const outside = 'tcp://10.0.0.9:5555';
  t.is(brokers.afterNotLeader(notLeaderMessage(outside)), outside);
  t.is(brokers.current, outside);
  t.is(brokers.next(), B, 'the list goes on from where it was');
});

test('ERR_NOT_LEADER naming no leader, or this very broker, moves to the next broker', (t) => {
  const brokers = new BrokerList([A, B]);
  t.is(brokers.afterNotLeader(notLeaderMessage(undefined)), B);
  t.is(brokers.afterNotLeader(notLeaderMessage(B)), A);
  t.is(brokers.afterNotLeader('some other message'), B);
});

test('one broker alone has nowhere else to go, except to a leader it is told of', (t) => {
  const brokers = new BrokerList(A);
  t.is(brokers.next(), undefined);
  t.is(brokers.afterNotLeader(notLeaderMessage(undefined)), undefined);
  t.is(brokers.current, A);
  t.is(brokers.afterNotLeader(notLeaderMessage(B)), B);
  t.is(brokers.current, B);
  // That leader may die, and the broker given lead in its place: the client is not stuck at B.
  t.true(brokers.several);
  t.is(brokers.next(), A);
  t.false(brokers.several);
  t.is(brokers.next(), undefined);
});

test('knows when it has tried every broker since one last answered', (t) => {
  const brokers = new BrokerList([A, B]);
  t.false(brokers.wentRound);
  brokers.next();
  t.false(brokers.wentRound);
  brokers.next();
  t.true(brokers.wentRound, 'two moves over a list of two');
  brokers.answered();
  t.false(brokers.wentRound);
});

test("after a standby's stats, goes to the leader it names, stays when already there, else moves on", (t) => {
  const brokers = new BrokerList([A, B, C]);
  t.is(brokers.toward(C), C);
  t.is(brokers.toward(C), undefined, 'already at the leader');
  t.is(brokers.current, C);
  t.is(brokers.toward(undefined), A, 'no leader named: the next broker');
});
