import test from 'ava';
import { BrokerList } from '../src/broker-list.js';

const [A, B, C, LEADER] = ['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2', 'tcp://127.0.0.1:3', 'tcp://10.0.0.9:5555'] as const;

test('one broker: the next is the same one, as a node with one broker always did', (t) => {
  const list = new BrokerList([A]);
  t.false(list.several);
  t.is(list.current, A);
  t.is(list.next(), A);
});

test('several brokers are tried round-robin from the first', (t) => {
  const list = new BrokerList([A, B, C]);
  t.true(list.several);
  t.is(list.current, A);
  t.deepEqual([list.next(), list.next(), list.next(), list.next()], [B, C, A, B]);
});

test('following a leader in the list goes on round-robin from it', (t) => {
  const list = new BrokerList([A, B, C]);
  t.is(list.follow(C), C);
  t.is(list.current, C);
  t.is(list.next(), A);
});

test('a leader outside the list is followed, and the round-robin goes on from where it was', (t) => {
  const list = new BrokerList([A, B, C]);
  list.next();
  t.is(list.follow(LEADER), LEADER);
  t.is(list.current, LEADER);
  t.is(list.next(), C);
});

test('an empty list is refused', (t) => {
  t.throws(() => new BrokerList([]));
});
