import test from 'ava';
import { chooseSeed, isBlank, type SeedCandidate, type SeedContext } from '../src/seed-policy.js';

const whole = (nodeId: string, epoch: number, seq: number): SeedCandidate => ({ nodeId, whole: true, epoch, seq });
const partial = (nodeId: string, epoch: number, seq: number): SeedCandidate => ({ nodeId, whole: false, epoch, seq });
const blank = (nodeId: string): SeedCandidate => partial(nodeId, 0, 0);
const fresh: SeedContext = { lastSeq: 0, heardSeq: 0, acceptDataLoss: false };

test('only a whole node seeds, the most advanced winning, over any node that is not whole', (t) => {
  const decision = chooseSeed([partial('joiner', 3, 900), whole('a', 2, 500), whole('b', 3, 100), blank('c')], { ...fresh, heardSeq: 900 });
  t.like(decision, { seed: true, loss: undefined });
  t.is(decision.seed && decision.from.nodeId, 'b');
});

test('blank nodes seed a blank cluster', (t) => {
  const decision = chooseSeed([blank('a'), blank('b')], fresh);
  t.like(decision, { seed: true, loss: undefined });
});

test('blank nodes never seed a cluster that sequenced writes, or when any node reported data', (t) => {
  t.like(chooseSeed([blank('a')], { ...fresh, lastSeq: 1 }), { seed: false });
  t.like(chooseSeed([blank('a')], { ...fresh, heardSeq: 7 }), { seed: false });
});

test('a node that is not whole but held data never seeds (a half-loaded joiner, a damaged log)', (t) => {
  const decision = chooseSeed([partial('joiner', 1, 200_000), blank('b')], { ...fresh, lastSeq: 200_000, heardSeq: 200_000 });
  t.false(decision.seed);
  t.regex(decision.seed ? '' : decision.reason, /no node whose data is whole/);
});

test('with acceptDataLoss, the most advanced node that is not whole seeds, and the loss is said', (t) => {
  const decision = chooseSeed([partial('a', 1, 300), partial('b', 1, 5981), blank('c')], {
    lastSeq: 0,
    heardSeq: 5981,
    acceptDataLoss: true,
  });
  t.true(decision.seed);
  if (!decision.seed) return;
  t.is(decision.from.nodeId, 'b');
  t.regex(decision.loss ?? '', /b \(epoch 1, seq 5981\), which is not whole/);
});

test('acceptDataLoss changes nothing when a whole node is there', (t) => {
  const decision = chooseSeed([partial('a', 1, 900), whole('b', 1, 100)], { ...fresh, heardSeq: 900, acceptDataLoss: true });
  t.like(decision, { seed: true, loss: undefined });
  t.is(decision.seed && decision.from.nodeId, 'b');
});

test('no candidates: nothing to seed', (t) => {
  t.like(chooseSeed([], fresh), { seed: false });
});

test('blank means not whole and at seq 0', (t) => {
  t.true(isBlank(blank('a')));
  t.false(isBlank(partial('a', 1, 1)));
  t.false(isBlank(whole('a', 1, 0)));
});

test('a whole node behind the last write this broker acknowledged never seeds; one that holds it does, even from an older epoch', (t) => {
  const acknowledged = { epoch: 2, seq: 700 };
  const held = chooseSeed([whole('restarted', 2, 650), whole('old-branch', 1, 900)], { ...fresh, heardSeq: 900, acknowledged });
  t.false(held.seed);
  t.regex(held.seed ? '' : held.reason, /stop before the last write this broker acknowledged \(epoch 2, seq 700\)/);

  const decision = chooseSeed([whole('restarted', 2, 650), whole('holder', 2, 700)], { ...fresh, heardSeq: 700, acknowledged });
  t.is(decision.seed && decision.from.nodeId, 'holder');
  // Nothing acknowledged in epoch 2 yet: the last acknowledged write is epoch 1's, which its origin holds.
  const origin = chooseSeed([whole('origin', 1, 500)], { ...fresh, heardSeq: 520, acknowledged: { epoch: 1, seq: 480 } });
  t.is(origin.seed && origin.from.nodeId, 'origin');
});

test('with acceptDataLoss, a whole node behind the last acknowledged write seeds, and the loss is said', (t) => {
  const decision = chooseSeed([whole('restarted', 2, 650)], {
    ...fresh,
    heardSeq: 700,
    acknowledged: { epoch: 2, seq: 700 },
    acceptDataLoss: true,
  });
  t.true(decision.seed);
  t.regex(decision.seed ? (decision.loss ?? '') : '', /restarted \(epoch 2, seq 650\), which is not whole/);
});
