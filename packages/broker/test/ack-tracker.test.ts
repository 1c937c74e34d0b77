import test from 'ava';
import { AckTracker, type PendingWrite } from '../src/ack-tracker.js';
import { Membership } from '../src/membership.js';
import { readyNode as node } from './node-record-fixture.js';

function setup(startFenceUntil = 0) {
  let clock = 1000;
  const membership = new Membership();
  const nodes = ['a', 'b', 'c'].map(node);
  for (const n of nodes) membership.add(n);
  const completed: number[] = [];
  const failed: string[] = [];
  const tracker = new AckTracker(
    membership,
    () => clock,
    {
      completed: (write) => completed.push(write.seq),
      failed: (write, code) => failed.push(`${write.seq}:${code}`),
    },
    startFenceUntil,
  );
  const write = (seq: number, mode: 'all' | 'primary' = 'all', primaryId = 'a', kind: 'set' | 'del' = 'set'): PendingWrite => ({
    seq,
    kind,
    target: undefined,
    mode,
    primaryId,
    removed: false,
    dedupKey: undefined,
    sequencedAt: 0,
  });
  return { membership, nodes, tracker, completed, failed, write, tick: (ms: number) => (clock += ms) };
}

test('an all write completes only once every ready node acked it', (t) => {
  const { nodes, tracker, completed, write } = setup();
  tracker.add(write(1));
  tracker.add(write(2));
  tracker.onAck(nodes[0]!, 2, []);
  tracker.onAck(nodes[1]!, 2, []);
  t.deepEqual(completed, []);
  tracker.onAck(nodes[2]!, 1, []);
  t.deepEqual(completed, [1]);
  tracker.onAck(nodes[2]!, 2, []);
  t.deepEqual(completed, [1, 2]);
});

test('a primary write completes once its primary acked it', (t) => {
  const { nodes, tracker, completed, write } = setup();
  tracker.add(write(1, 'primary', 'b'));
  tracker.onAck(nodes[0]!, 1, []);
  t.deepEqual(completed, []);
  tracker.onAck(nodes[1]!, 1, []);
  t.deepEqual(completed, [1]);
});

test('a delete learns from the ack whether it removed a key', (t) => {
  const { nodes, tracker, write } = setup();
  const del = write(1, 'primary', 'a', 'del');
  tracker.add(del);
  tracker.onAck(nodes[0]!, 1, [1]);
  t.true(del.removed);
});

test('when a node leaves, its writes complete on the others once its lease has ended', (t) => {
  const { membership, nodes, tracker, completed, write, tick } = setup();
  tracker.add(write(1));
  tracker.add(write(2, 'primary', 'c'));
  tracker.onAck(nodes[0]!, 2, []);
  tracker.onAck(nodes[1]!, 2, []);
  membership.remove(nodes[2]!);
  tracker.onNodeRemoved(nodes[2]!, 1500);
  t.deepEqual(completed, [], 'the lost node may still serve reads until 1500');
  t.is(tracker.nextWakeAt(), 1500);
  tick(600);
  tracker.check();
  t.deepEqual(completed, [1, 2]);
});

test('when the last ready node leaves, pending writes fail with the retryable ERR_NOT_READY', (t) => {
  const { membership, nodes, tracker, failed, write } = setup();
  tracker.add(write(1));
  for (const n of nodes) {
    membership.remove(n);
    tracker.onNodeRemoved(n, 0);
  }
  t.deepEqual(failed, ['1:ERR_NOT_READY']);
});

test('when the last ready node leaves while a joiner stays, pending writes fail with ERR_NOT_READY and never complete', (t) => {
  const { membership, nodes, tracker, completed, failed, write, tick } = setup();
  const joiner = { ...node('joiner'), state: 'joining' as const, acked: 5 };
  membership.add(joiner);
  tracker.add(write(1));
  tracker.add(write(2, 'primary', 'b'));
  for (const n of nodes) {
    membership.remove(n);
    tracker.onNodeRemoved(n, 0);
  }
  tick(10_000);
  tracker.onAck(joiner, 5, []);
  t.deepEqual(completed, []);
  t.deepEqual(failed.sort(), ['1:ERR_NOT_READY', '2:ERR_NOT_READY']);
});

test('a new broker acknowledges nothing before its start-up fence lifts', (t) => {
  const { nodes, tracker, completed, write, tick } = setup(2000);
  tracker.add(write(1));
  for (const n of nodes) tracker.onAck(n, 1, []);
  t.deepEqual(completed, []);
  tick(1000);
  tracker.check();
  t.deepEqual(completed, [1]);
});
