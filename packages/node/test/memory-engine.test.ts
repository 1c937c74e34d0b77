import test from 'ava';
import { ContentDigest, ENTRY_OVERHEAD_BYTES, entryBytes } from '@brainer/protocol';
import { LFU_INIT_VAL } from '../src/access-clock.js';
import { MemoryEngine } from '../src/index.js';
import { storageEngineContract } from './storage-engine-contract.js';

/** Chunks so small that compaction runs all the time. */
const small = { chunkBytes: 512, compactMinGarbageBytes: 1024 };

storageEngineContract(test, 'MemoryEngine', () => new MemoryEngine());
storageEngineContract(test, 'MemoryEngine with small chunks', () => new MemoryEngine(small));

/** A small deterministic PRNG, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Entry {
  value: Buffer;
  seq: number;
  expiresAt: number;
}

/** A map's entries by key, for comparing maps whatever their order. */
function byKey<V>(map: Map<string, V>): [string, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function digestOf(entries: Map<string, Entry>): string {
  const digest = new ContentDigest();
  for (const [key, { value }] of entries) digest.add(key, value);
  return digest.toString();
}

/** Everything a full cursor walk visits, in steps of `step` entries. */
function walk(engine: MemoryEngine, step = 7): Map<string, Entry> {
  const seen = new Map<string, Entry>();
  const cursor = engine.cursor();
  while (
    !cursor.next(
      (key, bytes, start, end, seq, expiresAt) => {
        if (seen.has(key)) throw new Error(`${key} visited twice`);
        seen.set(key, { value: Buffer.from(bytes.subarray(start, end)), seq, expiresAt });
      },
      step,
      1 << 20,
    )
  );
  return seen;
}

const oddKeys = ['', 'é', 'clé', 'ключ', '鍵と値', 'key-🔑', 'mixed ascii and ünïcödé', 'k'.repeat(64 * 1024), '値'.repeat(21_845)];

test('keys are their UTF-8 bytes: empty, non-ASCII and 64 KiB keys', (t) => {
  const engine = new MemoryEngine();
  const model = new Map<string, Entry>();
  for (const [i, key] of oddKeys.entries()) {
    const value = Buffer.from(`value of ${key.slice(0, 10)}`);
    engine.apply(i + 1, { kind: 'set', key, value, expiresAt: 0 }, 0);
    model.set(key, { value, seq: i + 1, expiresAt: 0 });
  }
  t.is(engine.size, oddKeys.length);
  for (const key of oddKeys) t.deepEqual(engine.get(key, 0)?.value, model.get(key)!.value, JSON.stringify(key.slice(0, 10)));
  t.is(engine.get('cle', 0), undefined);
  t.is(engine.get('k'.repeat(64 * 1024 - 1), 0), undefined);
  t.deepEqual(engine.keys(() => true, 0).sort(), oddKeys.slice().sort());
  t.deepEqual(byKey(walk(engine)), byKey(model));
  t.is(engine.digest, digestOf(model));
  for (const [i, key] of oddKeys.entries()) t.true(engine.apply(100 + i, { kind: 'del', key }, 0));
  t.is(engine.size, 0);
  t.is(engine.digest, '0000000000000000');
});

test("the digest is protocol's entryHash sum, for keys and values of every kind", (t) => {
  const random = prng(7);
  const alphabet = ['a', 'b', 'z', '0', ':', 'é', 'ж', '鍵', '🔑'];
  for (const options of [{}, small]) {
    const engine = new MemoryEngine(options);
    const model = new Map<string, Entry>();
    for (let i = 0; i < 500; i++) {
      const key = Array.from({ length: Math.floor(random() * 20) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const frame = Buffer.from(Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)));
      const start = Math.floor(random() * frame.length);
      const end = start + Math.floor(random() * (frame.length - start + 1));
      engine.load(key, frame, start, end, i + 1, 0);
      model.set(key, { value: frame.subarray(start, end), seq: i + 1, expiresAt: 0 });
      if (i % 50 === 0) t.is(engine.digest, digestOf(model));
    }
    t.is(engine.digest, digestOf(model));
  }
});

for (const [name, options] of [
  ['default chunks', {}],
  ['small chunks', small],
] as const) {
  test(`random writes match a model, with ${name}`, (t) => {
    for (const seed of [1, 2]) {
      const random = prng(seed);
      const engine = new MemoryEngine(options);
      const model = new Map<string, Entry>();
      const keys = Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? `ключ-${i}` : `k${i}`));
      let seq = 0;
      for (let op = 0; op < 8000; op++) {
        const key = keys[Math.floor(random() * keys.length)]!;
        // Some writes are older than the entry they meet, as a snapshot's may be.
        const writeSeq = random() < 0.1 ? Math.max(1, seq - Math.floor(random() * 50)) : ++seq;
        const current = model.get(key);
        const applies = current === undefined || current.seq < writeSeq;
        const r = random();
        if (r < 0.3) {
          const removed = engine.apply(writeSeq, { kind: 'del', key }, 0);
          t.is(removed, applies && current !== undefined, `seed ${seed} op ${op}: del ${key}`);
          if (applies) model.delete(key);
        } else {
          const value = Buffer.alloc(Math.floor(random() * 120), `${op}`);
          const expiresAt = random() < 0.1 ? 1000 + op : 0;
          if (r < 0.65) engine.apply(writeSeq, { kind: 'set', key, value, expiresAt }, 0);
          else engine.load(key, value, 0, value.length, writeSeq, expiresAt);
          if (applies) model.set(key, { value, seq: writeSeq, expiresAt });
        }
        if (engine.size !== model.size) t.fail(`seed ${seed} op ${op}: size ${engine.size}, model ${model.size}`);
        if (op % 1000 === 999) {
          for (const probe of keys) {
            const got = engine.get(probe, 0);
            const want = model.get(probe);
            if (
              !got !== !want ||
              (got && want && (!got.value.equals(want.value) || got.seq !== want.seq || got.expiresAt !== want.expiresAt))
            ) {
              t.fail(
                `seed ${seed} op ${op}: ${probe} reads ${got?.value.toString()}@${got?.seq}, model ${want?.value.toString()}@${want?.seq}`,
              );
            }
          }
          t.deepEqual(byKey(walk(engine)), byKey(model));
          t.is(engine.digest, digestOf(model));
          t.deepEqual(engine.keys(() => true, 0).sort(), [...model.keys()].sort());
        }
      }
    }
  });
}

test('a cursor visits every key left unchanged while writes, table growth and compaction happen between its steps', (t) => {
  for (const seed of [1, 2, 3]) {
    const random = prng(seed);
    const engine = new MemoryEngine({ chunkBytes: 4096, compactMinGarbageBytes: 8192 });
    const initial = new Map<string, Entry>();
    let seq = 0;
    for (let i = 0; i < 2000; i++) {
      const value = Buffer.from(`initial-${i}`.padEnd(20 + (i % 60), '.'));
      engine.apply(++seq, { kind: 'set', key: `k${i}`, value, expiresAt: 0 }, 0);
      initial.set(`k${i}`, { value, seq, expiresAt: 0 });
    }
    const changed = new Set<string>();
    const seen = new Map<string, Entry[]>();
    const cursor = engine.cursor();
    let fresh = 0;
    let steps = 0;
    let largest = 0;
    const visit = (key: string, bytes: Buffer, start: number, end: number, entrySeq: number, expiresAt: number) => {
      const visits = seen.get(key) ?? [];
      visits.push({ value: Buffer.from(bytes.subarray(start, end)), seq: entrySeq, expiresAt });
      seen.set(key, visits);
    };
    while (!cursor.next(visit, 37, 1 << 20)) {
      steps++;
      for (let w = 0; w < 40; w++) {
        // New keys (which grow the table), deletes and overwrites of old keys, and churn among new ones.
        const r = random();
        const key = r < 0.6 ? `new-${fresh++}` : r < 0.8 ? `k${Math.floor(random() * 2000)}` : `new-${Math.floor(random() * fresh)}`;
        if (key.startsWith('k')) changed.add(key);
        if (r >= 0.6 && r < 0.7) engine.apply(++seq, { kind: 'del', key }, 0);
        else engine.apply(++seq, { kind: 'set', key, value: Buffer.alloc(10 + Math.floor(random() * 200), 'w'), expiresAt: 0 }, 0);
      }
      largest = Math.max(largest, engine.size);
    }
    t.true(steps > 50);
    t.true(largest > 0.7 * 4096, 'the key table (4096 positions for 2000 keys) doubled during the walk');
    let unchanged = 0;
    for (const [key, entry] of initial) {
      if (changed.has(key)) continue;
      unchanged++;
      t.deepEqual(seen.get(key), [entry], `seed ${seed}: ${key}`);
    }
    t.true(unchanged > 500);
  }
});

test('reserve sizes the engine for a snapshot at once', (t) => {
  const engine = new MemoryEngine();
  engine.reserve(50_000);
  for (let i = 0; i < 50_000; i++) {
    const value = Buffer.from(`v${i}`);
    engine.load(`key:${i}`, value, 0, value.length, i + 1, 0);
  }
  t.is(engine.size, 50_000);
  t.is(engine.get('key:49999', 0)?.value.toString(), 'v49999');
  t.is(engine.get('key:50000', 0), undefined);
});

test('a value read stays valid after its entry is overwritten and its chunk compacted away', (t) => {
  const engine = new MemoryEngine(small);
  engine.apply(1, { kind: 'set', key: 'kept', value: Buffer.from('old value'), expiresAt: 0 }, 0);
  const read = engine.get('kept', 0)!.value;
  engine.apply(2, { kind: 'set', key: 'kept', value: Buffer.from('new value'), expiresAt: 0 }, 0);
  for (let i = 0; i < 500; i++) engine.apply(3 + i, { kind: 'set', key: `churn${i % 7}`, value: Buffer.alloc(60, i), expiresAt: 0 }, 0);
  t.is(read.toString(), 'old value');
  t.is(engine.get('kept', 0)?.value.toString(), 'new value');
  t.true(engine.valueBytes <= 8 * 512, `${engine.valueBytes} bytes held`);
});

test('a 16 MiB value under a 64 KiB key gets a chunk of its own, released when it goes', (t) => {
  const engine = new MemoryEngine();
  const key = '鍵'.repeat(21_845);
  const value = Buffer.alloc(16 * 1024 * 1024, 7);
  value[value.length - 1] = 9;
  engine.apply(1, { kind: 'set', key: 'small', value: Buffer.from('v'), expiresAt: 0 }, 0);
  const shared = engine.valueBytes;
  engine.apply(2, { kind: 'set', key, value, expiresAt: 0 }, 0);
  t.is(engine.valueBytes, shared + 3 + Buffer.byteLength(key) + value.length, 'a 3-byte length prefix, the key, the value');
  t.true(engine.get(key, 0)?.value.equals(value));
  const digest = new ContentDigest();
  digest.add('small', Buffer.from('v'));
  digest.add(key, value);
  t.is(engine.digest, digest.toString());
  engine.apply(3, { kind: 'set', key, value: Buffer.from('now small'), expiresAt: 0 }, 0);
  t.is(engine.valueBytes, shared);
  t.is(engine.get(key, 0)?.value.toString(), 'now small');
  t.true(engine.apply(4, { kind: 'del', key }, 0));
  t.is(engine.get('small', 0)?.value.toString(), 'v');
  t.is(engine.size, 1);
});

test('used memory is key bytes + value bytes + 48 per entry, through overwrites, deletes, loads and clear', (t) => {
  const engine = new MemoryEngine(small);
  t.is(engine.usedBytes, 0);
  engine.apply(1, { kind: 'set', key: 'k1', value: Buffer.alloc(100), expiresAt: 0 }, 0);
  t.is(engine.usedBytes, 2 + 100 + ENTRY_OVERHEAD_BYTES);
  engine.apply(2, { kind: 'set', key: 'ключ', value: Buffer.alloc(10), expiresAt: 0 }, 0);
  t.is(engine.usedBytes, 2 + 100 + 8 + 10 + 2 * ENTRY_OVERHEAD_BYTES, 'keys count in UTF-8 bytes');
  engine.apply(3, { kind: 'set', key: 'k1', value: Buffer.alloc(30), expiresAt: 0 }, 0);
  t.is(engine.usedBytes, 2 + 30 + 8 + 10 + 2 * ENTRY_OVERHEAD_BYTES, 'an overwrite counts the new value only');
  engine.apply(4, { kind: 'del', key: 'ключ' }, 0);
  t.is(engine.usedBytes, 2 + 30 + ENTRY_OVERHEAD_BYTES);
  engine.load('k2', Buffer.from('abcdef'), 1, 4, 5, 0);
  t.is(engine.usedBytes, 2 + 30 + 2 + 3 + 2 * ENTRY_OVERHEAD_BYTES);
  engine.clear();
  t.is(engine.usedBytes, 0);
});

test('used memory matches a recount after random writes with compaction', (t) => {
  const engine = new MemoryEngine(small);
  const random = prng(7);
  const live = new Map<string, number>();
  for (let seq = 1; seq <= 3000; seq++) {
    const key = `key:${Math.floor(random() * 200)}`;
    if (random() < 0.3) {
      engine.apply(seq, { kind: 'del', key }, 0);
      live.delete(key);
    } else {
      const length = Math.floor(random() * 300);
      engine.apply(seq, { kind: 'set', key, value: Buffer.alloc(length), expiresAt: 0 }, 0);
      live.set(key, length);
    }
  }
  let expected = 0;
  for (const [key, length] of live) expected += entryBytes(Buffer.byteLength(key), length);
  t.is(engine.usedBytes, expected);
});

test('a sample holds distinct live entries with their idle time, counter, TTL flag and size', (t) => {
  let now = 0;
  const engine = new MemoryEngine({ now: () => now });
  for (let i = 0; i < 50; i++)
    engine.apply(i + 1, { kind: 'set', key: `k${i}`, value: Buffer.alloc(i), expiresAt: i % 5 === 0 ? 1e15 : 0 }, 0);
  engine.apply(51, { kind: 'del', key: 'k49' }, 0);
  now = 5_000;
  engine.get('k7', 0);
  const all = engine.sample(1000, false);
  t.is(all.length, 49, 'asking for more than the store holds gives every entry, once');
  t.is(new Set(all.map((s) => s.key)).size, 49);
  const k7 = all.find((s) => s.key === 'k7')!;
  t.is(k7.idleMs, 0);
  t.true(k7.frequency > LFU_INIT_VAL);
  const k8 = all.find((s) => s.key === 'k8')!;
  t.is(k8.idleMs, 5_000);
  t.is(k8.frequency, LFU_INIT_VAL);
  t.is(k8.bytes, entryBytes(2, 8));
  t.false(k8.volatile);
  t.true(all.find((s) => s.key === 'k10')!.volatile);
  const volatile = engine.sample(100, true);
  t.is(volatile.length, 10);
  t.true(volatile.every((s) => s.volatile));
  t.is(engine.sample(5, false).length, 5);
  t.deepEqual(new MemoryEngine().sample(5, false), []);
});
