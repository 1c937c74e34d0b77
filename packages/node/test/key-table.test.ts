import test from 'ava';
import { murmur3 } from '@brainer/protocol';
import { KeyTable, type KeySlots } from '../src/key-table.js';

/** A small deterministic PRNG, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Keys by slot, as an engine keeps them, with a hash function the test chooses: a weak one forces
 * collisions and long clusters whatever the table's size.
 */
class TestSlots implements KeySlots {
  readonly keys: (Buffer | undefined)[] = [];
  readonly hashes: number[] = [];
  readonly table: KeyTable;
  private readonly freeSlots: number[] = [];

  constructor(
    readonly hash: (key: Buffer) => number,
    expected = 0,
  ) {
    this.table = new KeyTable(this, expected);
  }

  keyHash(slot: number): number {
    return this.hashes[slot]!;
  }

  keyEquals(slot: number, bytes: Uint8Array, length: number): boolean {
    const key = this.keys[slot];
    if (key === undefined) throw new Error(`slot ${slot} is free but still indexed`);
    return key.length === length && key.equals(bytes.subarray(0, length));
  }

  find(key: string): number {
    const bytes = Buffer.from(key);
    return this.table.find(this.hash(bytes), bytes, bytes.length);
  }

  insert(key: string, slot = this.freeSlots.pop() ?? this.keys.length): number {
    const bytes = Buffer.from(key);
    this.keys[slot] = bytes;
    this.hashes[slot] = this.hash(bytes);
    this.table.insert(this.hashes[slot], slot);
    return slot;
  }

  remove(key: string): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    const removed = this.table.remove(this.hashes[slot]!, slot);
    this.keys[slot] = undefined;
    this.freeSlots.push(slot);
    return removed;
  }
}

const fullHash = (key: Buffer) => murmur3(key, 0x9747b28c);
const hashings: [string, (key: Buffer) => number][] = [
  ['a full hash', fullHash],
  ['8 distinct hashes', (key) => fullHash(key) & 7],
  ['homes from 16 values, tags all equal', (key) => fullHash(key) & 0xf],
  ['one hash for every key', () => 0x12345678],
  ['equal homes and distinct tags', (key) => (fullHash(key) & 0xfff00000) | 5],
];

for (const [name, hash] of hashings) {
  test(`insert, find and remove with ${name}`, (t) => {
    const slots = new TestSlots(hash);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const slotOf = new Map(keys.map((key) => [key, slots.insert(key)]));
    t.is(slots.table.size, 40);
    for (const key of keys) t.is(slots.find(key), slotOf.get(key)!);
    t.is(slots.find('absent'), -1);
    for (const key of keys.filter((_, i) => i % 3 === 0)) t.true(slots.remove(key));
    for (const [i, key] of keys.entries()) t.is(slots.find(key), i % 3 === 0 ? -1 : slotOf.get(key)!, key);
    t.is(slots.table.size, 40 - 14);
  });

  test(`random operations match a Map with ${name}`, (t) => {
    for (const seed of [1, 2, 3]) {
      const random = prng(seed);
      const slots = new TestSlots(hash);
      const model = new Map<string, number>();
      const universe = 300;
      for (let op = 0; op < 5000; op++) {
        const key = `k${Math.floor(random() * universe)}`;
        const r = random();
        if (r < 0.5) {
          if (!model.has(key)) model.set(key, slots.insert(key));
        } else if (r < 0.85) {
          t.is(slots.remove(key), model.delete(key), `seed ${seed} op ${op}: remove ${key}`);
        } else {
          t.is(slots.find(key), model.get(key) ?? -1, `seed ${seed} op ${op}: find ${key}`);
        }
        if (slots.table.size !== model.size) t.fail(`seed ${seed} op ${op}: size ${slots.table.size}, model ${model.size}`);
        if (op % 1000 === 999) {
          for (let i = 0; i < universe; i++) {
            const probe = `k${i}`;
            if (slots.find(probe) !== (model.get(probe) ?? -1)) t.fail(`seed ${seed} op ${op}: ${probe} is misplaced`);
          }
        }
      }
      for (const [key, slot] of model) t.is(slots.find(key), slot);
    }
  });
}

test('a delete from a full cluster that wraps past the end keeps every key reachable', (t) => {
  // Homes at the last positions of a 16-position table, so the cluster wraps to position 0.
  const slots = new TestSlots((key) => 14 + (key[0]! & 1));
  t.is(slots.table.capacity, 16);
  const keys = Array.from({ length: 10 }, (_, i) => String.fromCharCode(97 + i));
  for (const key of keys) slots.insert(key);
  t.is(slots.table.capacity, 16, 'no growth: 10 keys are under the load limit of 11');
  const removed = new Set<string>();
  for (const key of ['a', 'd', 'b', 'j', 'e']) {
    t.true(slots.remove(key));
    removed.add(key);
    for (const other of keys) t.is(slots.find(other) >= 0, !removed.has(other), `${other} after removing ${[...removed]}`);
  }
});

test('the table doubles at a load of 0.7 and keeps every slot number', (t) => {
  const slots = new TestSlots(fullHash);
  t.is(slots.table.capacity, 16);
  for (let i = 0; i < 11; i++) slots.insert(`k${i}`);
  t.is(slots.table.capacity, 16);
  slots.insert('k11');
  t.is(slots.table.capacity, 32);
  for (let i = 12; i < 5000; i++) slots.insert(`k${i}`);
  t.is(slots.table.capacity, 8192);
  for (let i = 0; i < 5000; i++) t.is(slots.find(`k${i}`), i);
});

test('reserve sizes the table once', (t) => {
  const slots = new TestSlots(fullHash, 1000);
  const capacity = slots.table.capacity;
  t.true(capacity * 0.7 >= 1000);
  for (let i = 0; i < 1000; i++) slots.insert(`k${i}`);
  t.is(slots.table.capacity, capacity);
  slots.table.reserve(100_000);
  t.true(slots.table.capacity * 0.7 >= 100_000);
  for (let i = 0; i < 1000; i++) t.is(slots.find(`k${i}`), i);
});

test('a slot number the mask cannot hold grows the table first', (t) => {
  const slots = new TestSlots(fullHash);
  slots.insert('low', 3);
  slots.insert('high', 100_000);
  t.true(slots.table.capacity > 100_001);
  t.is(slots.find('low'), 3);
  t.is(slots.find('high'), 100_000);
  t.true(slots.remove('high'));
  t.is(slots.find('high'), -1);
});

test('keys of equal hash are told apart by their bytes, including an empty key and a prefix', (t) => {
  const slots = new TestSlots(() => 42);
  for (const key of ['', 'a', 'ab', 'abc', 'ключ', '鍵', '🔑']) slots.insert(key);
  for (const [i, key] of ['', 'a', 'ab', 'abc', 'ключ', '鍵', '🔑'].entries()) t.is(slots.find(key), i);
  t.is(slots.find('abcd'), -1);
  t.true(slots.remove(''));
  t.is(slots.find(''), -1);
  t.is(slots.find('a'), 1);
});

test('remove answers false for a slot that is not indexed', (t) => {
  const slots = new TestSlots(fullHash);
  slots.insert('a');
  t.false(slots.table.remove(fullHash(Buffer.from('b')), 7));
  t.is(slots.table.size, 1);
});

test('clear empties the table', (t) => {
  const slots = new TestSlots(fullHash);
  for (let i = 0; i < 100; i++) slots.insert(`k${i}`);
  slots.table.clear();
  t.is(slots.table.size, 0);
  t.is(slots.table.capacity, 16);
  t.is(slots.find('k1'), -1);
});
