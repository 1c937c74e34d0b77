import test from 'ava';
import type { MessageOf } from '@brainer/protocol';
import { WritesFanout } from '../src/writes-fanout.js';

const message = (firstSeq: number): MessageOf<'writes'> => ({ type: 'writes', epoch: 1, firstSeq, sentAt: 0, writes: [] });

test('sends a turn of at most tickBytes (at least one message), in order, and the rest later', (t) => {
  const sent: number[] = [];
  const fanout = new WritesFanout((m) => (sent.push(m.firstSeq), 600), 1000);
  fanout.add([message(1), message(2), message(3)]);
  t.true(fanout.sendTurn());
  t.deepEqual(sent, [1, 2]);
  fanout.add([message(4)]);
  t.false(fanout.sendTurn());
  t.deepEqual(sent, [1, 2, 3, 4]);
  t.false(fanout.pending);
});

test('sendAll sends every queued message now', (t) => {
  const sent: number[] = [];
  const fanout = new WritesFanout((m) => (sent.push(m.firstSeq), 5000), 1000);
  fanout.add([message(1), message(2), message(3)]);
  fanout.sendAll();
  t.deepEqual(sent, [1, 2, 3]);
  t.false(fanout.pending);
});
