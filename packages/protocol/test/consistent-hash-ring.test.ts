import test from 'ava';
import { ConsistentHashRing } from '../src/index.js';
import { partitionerContract } from './partitioner-contract.js';

partitionerContract(test, 'consistent', (ids) => new ConsistentHashRing(ids), { balanceTolerance: 0.25 });

test('the ring places the documented examples (PROTOCOL.md 6.2)', (t) => {
  const ring = new ConsistentHashRing(['node-a', 'node-b', 'node-c']);
  t.is(ring.name, 'consistent');
  t.deepEqual(ring.preference('k'), ['node-b', 'node-c', 'node-a']);
  t.deepEqual(ring.preference('hello'), ['node-c', 'node-a', 'node-b']);
  t.deepEqual(ring.preference('{customer:42}orders'), ['node-a', 'node-c', 'node-b']);
});
