import test from 'ava';
import { murmur3, murmur3Pair, murmur3String, placementHash, RendezvousHash } from '../src/index.js';
import { partitionerContract } from './partitioner-contract.js';

partitionerContract(test, 'rendezvous', (ids) => new RendezvousHash(ids), { balanceTolerance: 0.05 });

test('murmur3Pair is murmur3 of the two u32s little-endian', (t) => {
  for (const [a, b, seed] of [
    [0, 0, 0],
    [1, 2, 0],
    [0xffffffff, 0x80000000, 0],
    [0x248bfa47, 0xcfbda5d1, 7],
  ] as const) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(a, 0);
    bytes.writeUInt32LE(b, 4);
    t.is(murmur3Pair(a, b, seed), murmur3(bytes, seed));
  }
});

test('a key goes to the node with the highest score, as PROTOCOL.md 6.3 defines it', (t) => {
  const ids = ['node-a', 'node-b', 'node-c'];
  const hrw = new RendezvousHash(ids);
  t.is(hrw.name, 'rendezvous');
  for (const key of ['k', 'hello', '{customer:42}orders', 'ключ']) {
    const byScore = [...ids].sort(
      (a, b) => murmur3Pair(placementHash(key), murmur3String(b)) - murmur3Pair(placementHash(key), murmur3String(a)),
    );
    t.deepEqual(hrw.preference(key), byScore, key);
  }
});

test('the documented examples (PROTOCOL.md 6.3)', (t) => {
  const hrw = new RendezvousHash(['node-a', 'node-b', 'node-c']);
  t.is(murmur3String('node-a'), 0x6be8f45e);
  t.is(murmur3Pair(placementHash('k'), murmur3String('node-b')), 0xe9b3fde1);
  t.deepEqual(hrw.preference('k'), ['node-b', 'node-a', 'node-c']);
  t.deepEqual(hrw.preference('hello'), ['node-b', 'node-a', 'node-c']);
  t.deepEqual(hrw.preference('{customer:42}orders'), ['node-c', 'node-a', 'node-b']);
});
