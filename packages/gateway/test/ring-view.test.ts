import test from 'ava';
import { createPartitioner, PARTITIONER_NAMES } from '@brainer/protocol';
import { ARC_SAMPLES, ringView } from '../src/ring-view.js';

for (const name of PARTITIONER_NAMES) {
  test(`${name}: the arcs cover the circle in order, and the shares add up to 1, each near 1/N`, (t) => {
    const ids = ['node1', 'node2', 'node3'];
    const view = ringView(name, ids);
    t.is(view.partitioner, name);
    t.is(view.arcs[0]!.start, 0);
    t.is(view.arcs[view.arcs.length - 1]!.end, 1);
    for (let i = 1; i < view.arcs.length; i++) {
      t.is(view.arcs[i]!.start, view.arcs[i - 1]!.end);
      t.not(view.arcs[i]!.node, view.arcs[i - 1]!.node, 'neighbours of one owner are merged');
    }
    t.deepEqual(Object.keys(view.shares).sort(), ids);
    const total = Object.values(view.shares).reduce((sum, share) => sum + share, 0);
    t.true(Math.abs(total - 1) < 1e-9, String(total));
    for (const [id, share] of Object.entries(view.shares)) t.true(share > 0.2 && share < 0.47, `${id}: ${share}`);
  });

  test(`${name}: a node's share is the share of keys the partitioner gives it, to within 1%`, (t) => {
    const ids = ['a', 'b', 'c', 'd'];
    const partitioner = createPartitioner(name, ids);
    const counts = new Map(ids.map((id) => [id, 0]));
    const keys = 40_000;
    for (let i = 0; i < keys; i++) {
      const owner = partitioner.primary(`key:${i}`)!;
      counts.set(owner, counts.get(owner)! + 1);
    }
    const { shares } = ringView(name, ids);
    for (const id of ids)
      t.true(Math.abs(shares[id]! - counts.get(id)! / keys) < 0.01, `${id}: ${shares[id]} vs ${counts.get(id)! / keys}`);
  });
}

test('one node owns the whole circle; no node, no arc; an unknown partitioner name is drawn as consistent', (t) => {
  t.deepEqual(ringView('consistent', ['solo']), {
    partitioner: 'consistent',
    arcs: [{ node: 'solo', start: 0, end: 1 }],
    shares: { solo: 1 },
  });
  t.deepEqual(ringView('rendezvous', []), { partitioner: 'rendezvous', arcs: [], shares: {} });
  t.is(ringView('bogus', ['x']).partitioner, 'consistent');
  t.true(ARC_SAMPLES >= 360);
});
