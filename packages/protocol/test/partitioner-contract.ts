import type { TestFn } from 'ava';
import { placementHash, type Partitioner } from '../src/index.js';

export const KEYS = Array.from({ length: 100_000 }, (_, i) => `key:${i}`);
export const TEN = Array.from({ length: 10 }, (_, i) => `node-${i}`);

export interface PartitionerContractOptions {
  /** How far from the mean a node's share of 100k keys over 10 nodes may be, as a fraction of the mean. */
  balanceTolerance: number;
}

function primaries(partitioner: Partitioner): string[] {
  return KEYS.map((key) => partitioner.primary(key)!);
}

/** What every partitioner must do. Each one's test file runs it with its own factory. */
export function partitionerContract(
  test: TestFn,
  name: string,
  create: (nodeIds: Iterable<string>) => Partitioner,
  options: PartitionerContractOptions,
): void {
  test(`${name}: 10 nodes share 100k keys within ${options.balanceTolerance * 100}% of the mean`, (t) => {
    const counts = new Map<string, number>(TEN.map((id) => [id, 0]));
    for (const owner of primaries(create(TEN))) counts.set(owner, counts.get(owner)! + 1);
    t.deepEqual([...counts.keys()].sort(), TEN);
    const mean = KEYS.length / TEN.length;
    for (const [id, count] of counts) {
      t.true(Math.abs(count - mean) <= mean * options.balanceTolerance, `${id} holds ${count} keys, mean ${mean}`);
    }
  });

  test(`${name}: ownerOfHash(placementHash(key)) is the key's primary, for plain and tagged keys; undefined with no nodes`, (t) => {
    const partitioner = create(TEN);
    for (const key of [...KEYS.slice(0, 5000), '{user:1}name', '{user:1}mail', '']) {
      if (partitioner.ownerOfHash(placementHash(key)) !== partitioner.primary(key)) return t.fail(key);
    }
    t.is(create([]).ownerOfHash(12345), undefined);
    t.pass();
  });

  test(`${name}: the same ids in any order, with duplicates, give the same placement`, (t) => {
    const forward = create(TEN);
    const shuffled = create([...TEN].reverse().concat(['node-3', 'node-0']));
    t.deepEqual(shuffled.nodeIds, TEN);
    t.deepEqual(primaries(shuffled), primaries(forward));
  });

  test(`${name}: adding an 11th node moves only keys to it, about 1/11 of them`, (t) => {
    const before = primaries(create(TEN));
    const after = primaries(create([...TEN, 'node-10']));
    let moved = 0;
    for (let i = 0; i < KEYS.length; i++) {
      if (before[i] === after[i]) continue;
      moved++;
      if (after[i] !== 'node-10') return t.fail(`${KEYS[i]} moved from ${before[i]} to ${after[i]}`);
    }
    const share = moved / KEYS.length;
    t.true(share >= 0.05 && share <= 0.15, `moved ${share}`);
  });

  test(`${name}: removing a node moves only the keys it held, about 1/10 of them`, (t) => {
    const removed = 'node-4';
    const before = primaries(create(TEN));
    const after = primaries(create(TEN.filter((id) => id !== removed)));
    let moved = 0;
    for (let i = 0; i < KEYS.length; i++) {
      if (before[i] === removed) {
        moved++;
        if (after[i] === removed) return t.fail(`${KEYS[i]} is still on ${removed}`);
      } else if (after[i] !== before[i]) {
        return t.fail(`${KEYS[i]} moved from ${before[i]} to ${after[i]}`);
      }
    }
    const share = moved / KEYS.length;
    t.true(share >= 0.05 && share <= 0.15, `moved ${share}`);
  });

  test(`${name}: a key that leaves a removed node goes to the next node in its preference list`, (t) => {
    const partitioner = create(TEN);
    const without = new Map(TEN.map((id) => [id, create(TEN.filter((other) => other !== id))]));
    for (const key of KEYS.slice(0, 20_000)) {
      const [primary, fallback] = partitioner.preference(key);
      if (without.get(primary!)!.primary(key) !== fallback) return t.fail(`${key}: expected ${fallback} after removing ${primary}`);
    }
    t.pass();
  });

  test(`${name}: preference lists every node once, primary first`, (t) => {
    const partitioner = create(TEN);
    for (const key of KEYS.slice(0, 5000)) {
      const preference = partitioner.preference(key);
      t.is(preference.length, TEN.length);
      t.is(partitioner.primary(key), preference[0]);
      t.deepEqual([...preference].sort(), TEN);
    }
  });

  test(`${name}: preference orders differ between keys`, (t) => {
    const partitioner = create(TEN);
    const seconds = new Set(KEYS.slice(0, 1000).map((key) => partitioner.preference(key)[1]));
    t.is(seconds.size, TEN.length);
  });

  test(`${name}: the keys of one hash tag share a preference list, the tag's own`, (t) => {
    const partitioner = create(TEN);
    const primariesSeen = new Set<string>();
    for (let customer = 0; customer < 200; customer++) {
      const tag = `customer:${customer}`;
      const expected = partitioner.preference(tag);
      for (const item of ['contacts', 'orders', 'favourites', 'ключ', '']) {
        t.deepEqual(partitioner.preference(`{${tag}}${item}`), expected);
      }
      t.deepEqual(partitioner.preference(`x{${tag}}y`), expected);
      primariesSeen.add(expected[0]!);
    }
    t.is(primariesSeen.size, TEN.length, 'different tags still spread over every node');
  });

  test(`${name}: a one-node partitioner places every key on that node`, (t) => {
    const partitioner = create(['only']);
    for (const key of ['', 'a', 'ключ', '{tag}x', ...KEYS.slice(0, 100)]) {
      t.is(partitioner.primary(key), 'only');
      t.deepEqual(partitioner.preference(key), ['only']);
    }
  });

  test(`${name}: an empty partitioner has no primary and an empty preference list`, (t) => {
    const partitioner = create([]);
    t.deepEqual(partitioner.nodeIds, []);
    t.is(partitioner.primary('key'), undefined);
    t.deepEqual(partitioner.preference('key'), []);
  });
}
