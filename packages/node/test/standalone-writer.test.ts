import test from 'ava';
import { MemoryEngine } from '../src/index.js';
import { StandaloneWriter } from '../src/standalone-writer.js';

const value = (text: string): Buffer => Buffer.from(text);

function writer(start = 1_000_000) {
  const clock = { now: start };
  const engine = new MemoryEngine();
  return { clock, engine, writer: new StandaloneWriter(engine, () => clock.now) };
}

test('each write gets the next seq and is applied at once, as a ready node applies its stream', (t) => {
  const { engine, writer: w } = writer();
  t.deepEqual(w.write({ op: 'set', id: 1, key: 'a', value: value('1'), ttlMs: 0, wait: 'all' }, 'c1'), {
    id: 1,
    ok: true,
    value: undefined,
  });
  w.write({ op: 'set', id: 2, key: 'b', value: value('2'), ttlMs: 0, wait: 'all' }, 'c1');
  t.is(w.replica.position, 2);
  t.is(w.replica.state, 'ready');
  t.is(engine.get('a', Date.now())?.value.toString(), '1');
  t.is(engine.get('a', Date.now())?.seq, 1);
});

test('a delete answers 1 when it removed a live key, else 0', (t) => {
  const { clock, writer: w } = writer();
  w.write({ op: 'set', id: 1, key: 'a', value: value('1'), ttlMs: 0, wait: 'all' }, 'c1');
  t.deepEqual(w.write({ op: 'del', id: 2, key: 'a', wait: 'all' }, 'c1'), { id: 2, ok: true, value: 1 });
  t.is(w.replica.engine.size, 0);
  t.deepEqual(w.write({ op: 'del', id: 3, key: 'a', wait: 'all' }, 'c1'), { id: 3, ok: true, value: 0 });
  // Expired but not yet deleted: stored, yet not live.
  w.write({ op: 'set', id: 4, key: 'b', value: value('1'), ttlMs: 10, wait: 'all' }, 'c1');
  clock.now += 10;
  t.deepEqual(w.write({ op: 'del', id: 5, key: 'b', wait: 'all' }, 'c1'), { id: 5, ok: true, value: 0 });
});

test('a retried write (same client, same op id) gets its first answer and is not applied again', (t) => {
  const { writer: w } = writer();
  w.write({ op: 'set', id: 1, key: 'a', value: value('1'), ttlMs: 0, wait: 'all' }, 'c1');
  t.deepEqual(w.write({ op: 'del', id: 2, key: 'a', wait: 'all' }, 'c1'), { id: 2, ok: true, value: 1 });
  w.write({ op: 'set', id: 3, key: 'a', value: value('new'), ttlMs: 0, wait: 'all' }, 'c1');
  // The retry of op 2 neither deletes the newer value nor changes its answer.
  t.deepEqual(w.write({ op: 'del', id: 2, key: 'a', wait: 'all' }, 'c1'), { id: 2, ok: true, value: 1 });
  t.is(w.replica.engine.get('a', Date.now())?.value.toString(), 'new');
  t.is(w.replica.position, 3);
  // The same op id from another client is another write.
  t.deepEqual(w.write({ op: 'del', id: 2, key: 'a', wait: 'all' }, 'c2'), { id: 2, ok: true, value: 1 });
  t.is(w.replica.position, 4);
});

test('a key with a TTL is deleted, as a sequenced write, once its time has passed; a later write without TTL cancels it', (t) => {
  const { clock, writer: w } = writer();
  w.write({ op: 'set', id: 1, key: 'short', value: value('x'), ttlMs: 100, wait: 'all' }, 'c1');
  w.write({ op: 'set', id: 2, key: 'kept', value: value('x'), ttlMs: 100, wait: 'all' }, 'c1');
  w.write({ op: 'set', id: 3, key: 'kept', value: value('y'), ttlMs: 0, wait: 'all' }, 'c1');
  t.is(w.ttlKeys, 1);
  t.is(w.expire(), 0);
  clock.now += 100;
  t.is(w.expire(), 1);
  t.is(w.replica.engine.size, 1);
  t.is(w.replica.position, 4, 'the expiry is a write of its own');
  t.deepEqual(w.replica.recent.list().length, 3, 'an expiry has no client origin');
});

test('expire answers whether the key is there, gives it the new TTL, and finds a key whose time is up missing; flushall empties the store', (t) => {
  const { clock, engine, writer: w } = writer();
  w.write({ op: 'set', id: 1, key: 'a', value: value('1'), ttlMs: 0, wait: 'all' }, 'c1');
  t.deepEqual(w.write({ op: 'expire', id: 2, key: 'a', ttlMs: 5000, wait: 'all' }, 'c1'), { id: 2, ok: true, value: 1 });
  t.is(engine.get('a', clock.now)?.expiresAt, clock.now + 5000);
  t.is(w.ttlKeys, 1);
  t.deepEqual(w.write({ op: 'expire', id: 3, key: 'nope', ttlMs: 5000, wait: 'all' }, 'c1'), { id: 3, ok: true, value: 0 });
  t.is(w.ttlKeys, 1, 'a missing key leaves no expiry behind');
  // Its time is up, but no expiry sweep has run: the expire still finds it missing.
  clock.now += 5000;
  t.deepEqual(w.write({ op: 'expire', id: 4, key: 'a', ttlMs: 60_000, wait: 'all' }, 'c1'), { id: 4, ok: true, value: 0 });
  t.is(engine.size, 0);

  w.write({ op: 'set', id: 5, key: 'b', value: value('2'), ttlMs: 1000, wait: 'all' }, 'c1');
  w.write({ op: 'set', id: 6, key: 'c', value: value('3'), ttlMs: 0, wait: 'all' }, 'c1');
  t.deepEqual(w.write({ op: 'flushall', id: 7, wait: 'all' }, 'c1'), { id: 7, ok: true, value: undefined });
  t.is(engine.size, 0);
  t.is(w.ttlKeys, 0);
});
