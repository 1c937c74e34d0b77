import test from 'ava';
import { EntryStore } from '../src/entry-store.js';

/** Writes `key` and `value` into `slot` (a new one by default), with hashes the test can recognise. */
function put(store: EntryStore, key: string, value: string | Buffer, seq = 1, expiresAt = 0, slot = store.allocate()): number {
  const keyBytes = Buffer.from(key);
  const valueBytes = typeof value === 'string' ? Buffer.from(value) : value;
  store.write(slot, keyBytes, keyBytes.length, seq * 3, valueBytes, 0, valueBytes.length, seq, expiresAt, seq * 5, seq * 7);
  return slot;
}

function visited(store: EntryStore, slot: number) {
  let seen: { key: string; value: string; seq: number; expiresAt: number } | undefined;
  const bytes = store.visit(slot, (key, chunk, start, end, seq, expiresAt) => {
    seen = { key, value: chunk.toString('utf8', start, end), seq, expiresAt };
  });
  return { ...seen!, bytes };
}

test('a slot holds its key, value, seq, expiry and hashes', (t) => {
  const store = new EntryStore();
  const slot = put(store, 'clé', 'valeur', 4);
  t.true(store.isLive(slot));
  t.is(store.key(slot), 'clé');
  t.is(store.value(slot).toString(), 'valeur');
  t.is(store.seqOf(slot), 4);
  t.is(store.expiryOf(slot), 0);
  t.is(store.keyHash(slot), 12);
  t.is(store.digestLow(slot), 20);
  t.is(store.digestHigh(slot), 28);
  t.deepEqual(visited(store, slot), { key: 'clé', value: 'valeur', seq: 4, expiresAt: 0, bytes: 4 + 6 });
});

test('keyEquals compares the whole key, bytes and length', (t) => {
  const store = new EntryStore();
  const slot = put(store, 'abc', 'v');
  const equals = (key: string) => {
    const bytes = Buffer.concat([Buffer.from(key), Buffer.from('garbage after the key')]);
    return store.keyEquals(slot, bytes, Buffer.byteLength(key));
  };
  t.true(equals('abc'));
  t.false(equals('ab'));
  t.false(equals('abcd'));
  t.false(equals('abd'));
  t.false(equals(''));
  const empty = put(store, '', 'v');
  t.true(store.keyEquals(empty, Buffer.alloc(0), 0));
  t.is(store.key(empty), '');
});

for (const length of [127, 128, 16_383, 16_384, 64 * 1024, 200_000]) {
  test(`a ${length}-byte key round-trips (its length prefix grows with it)`, (t) => {
    const store = new EntryStore({ chunkBytes: 1024 * 1024 });
    const key = 'k'.repeat(length - 2) + 'é';
    const slot = put(store, key, 'value');
    const other = put(store, key.slice(0, -1) + 'è', 'other');
    t.is(store.key(slot), key);
    t.is(store.value(slot).toString(), 'value');
    t.true(store.keyEquals(slot, Buffer.from(key), length));
    t.false(store.keyEquals(other, Buffer.from(key), length));
    t.is(visited(store, slot).key, key);
    store.release(slot);
    store.release(other);
    t.is(store.allocatedBytes, 1024 * 1024, 'every byte was freed: only the chunk being filled is left');
  });
}

test('an overwrite keeps the slot and frees the old bytes', (t) => {
  const store = new EntryStore({ chunkBytes: 1024 });
  const slot = put(store, 'k', 'x'.repeat(200), 1);
  put(store, 'k', 'y'.repeat(200), 2, 0, slot);
  t.is(store.value(slot).toString(), 'y'.repeat(200));
  t.is(store.seqOf(slot), 2);
  t.is(store.slotLimit, 1);
});

test('freed slots are reused, the last freed first, and are not live', (t) => {
  const store = new EntryStore();
  const slots = ['a', 'b', 'c', 'd'].map((key) => put(store, key, 'v'));
  t.deepEqual(slots, [0, 1, 2, 3]);
  store.release(1);
  store.release(3);
  t.false(store.isLive(1));
  t.false(store.isLive(3));
  t.true(store.isLive(2));
  t.is(store.slotLimit, 4);
  t.is(store.allocate(), 3);
  t.is(store.allocate(), 1);
  t.is(store.allocate(), 4);
  t.is(store.slotLimit, 5);
});

test('expiries are kept from the first TTL on, and slots grow with everything in them', (t) => {
  const store = new EntryStore();
  for (let i = 0; i < 3000; i++) put(store, `k${i}`, `v${i}`, i + 1, i === 500 ? 0 : i >= 1000 ? i * 10 : 0);
  for (const i of [0, 500, 999, 1000, 2999]) {
    t.is(store.key(i), `k${i}`);
    t.is(store.value(i).toString(), `v${i}`);
    t.is(store.seqOf(i), i + 1);
    t.is(store.expiryOf(i), i >= 1000 ? i * 10 : 0);
    t.is(store.digestHigh(i), (i + 1) * 7);
  }
  store.reserve(10_000);
  t.is(store.expiryOf(2999), 29_990);
  t.is(store.key(2999), 'k2999');
});

test('compaction moves live entries out of sparse chunks, whose bytes are then released', (t) => {
  const store = new EntryStore({ chunkBytes: 1024, compactMinGarbageBytes: 2048 });
  // One kept entry per chunk among churned ones: without compaction, about 20 chunks would stay.
  const churned = Array.from({ length: 20 }, (_, i) => put(store, `churn-${i}`, 'first'));
  const kept: number[] = [];
  let written = 0;
  for (let i = 0; i < 20; i++) {
    kept.push(put(store, `kept-${i}`, `value-${i}`.padEnd(30, '.')));
    for (const [j, slot] of churned.entries()) put(store, `churn-${j}`, `fill-${i}`.padEnd(40, '!'), 1, 0, slot);
  }
  for (let round = 0; round < 200; round++) {
    for (const [i, slot] of churned.entries()) {
      put(store, `churn-${i}`, `round-${round}`.padEnd(40, '!'), round + 2, 0, slot);
      written += 40;
    }
    for (const [i, slot] of kept.entries()) {
      if (store.key(slot) !== `kept-${i}` || store.value(slot).toString() !== `value-${i}`.padEnd(30, '.')) {
        t.fail(`kept-${i} changed in round ${round}`);
      }
    }
  }
  t.true(written > 100_000);
  t.true(store.allocatedBytes <= 6 * 1024, `${store.allocatedBytes} bytes held for about 2 KiB of live entries`);
  for (const [i, slot] of churned.entries()) t.is(store.value(slot).toString(), 'round-199'.padEnd(40, '!'), `churn-${i}`);
  for (const [i, slot] of kept.entries()) {
    t.true(store.keyEquals(slot, Buffer.from(`kept-${i}`), `kept-${i}`.length));
    t.is(visited(store, slot).value, `value-${i}`.padEnd(30, '.'));
  }
});

test('clear forgets every slot', (t) => {
  const store = new EntryStore();
  put(store, 'a', 'v', 1, 1000);
  store.clear();
  t.is(store.slotLimit, 0);
  t.is(store.allocatedBytes, 0);
  t.is(store.allocate(), 0);
  put(store, 'b', 'w', 1, 0, 0);
  t.is(store.expiryOf(0), 0);
  t.is(store.key(0), 'b');
});

test('options are checked by name', (t) => {
  t.throws(() => new EntryStore({ chunkBytes: 0 }), { message: /chunkBytes/ });
  t.throws(() => new EntryStore({ compactMinGarbageBytes: -1 }), { message: /compactMinGarbageBytes/ });
});
