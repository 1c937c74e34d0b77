import test from 'ava';
import { ValueArena } from '../src/value-arena.js';

const bytes = (length: number, fill: number) => Buffer.alloc(length, fill);

test('stores and views records', (t) => {
  const arena = new ValueArena(1024);
  const a = arena.store(bytes(100, 1));
  const b = arena.store(Buffer.from('xhellox'), 1, 6);
  t.deepEqual(arena.view(a, 100), bytes(100, 1));
  t.is(arena.view(b, 5).toString(), 'hello');
  t.is(arena.allocatedBytes, 1024);
  t.is(arena.garbageBytes, 1024 - 105);
});

test('allocate reserves bytes for the caller to fill', (t) => {
  const arena = new ValueArena(1024);
  arena.store(bytes(10, 7));
  const location = arena.allocate(3);
  arena.chunkBuffer(location).write('abc', arena.offsetOf(location));
  t.is(arena.view(location, 3).toString(), 'abc');
  t.is(arena.offsetOf(location), 10);
});

test('a chunk is released once its live bytes reach 0, and the one being filled once it is left', (t) => {
  const arena = new ValueArena(1024);
  const records = [1, 2, 3, 4].map((fill) => arena.store(bytes(250, fill)));
  t.true(records.every((location) => arena.chunkOf(location) === arena.chunkOf(records[0]!)));
  for (const location of records) arena.free(location, 250);
  t.is(arena.allocatedBytes, 1024, 'the chunk being filled is kept');
  const next = arena.store(bytes(250, 5)); // 1250 bytes would not fit: this one starts a new chunk
  t.not(arena.chunkOf(next), arena.chunkOf(records[0]!));
  t.is(arena.allocatedBytes, 1024, 'the emptied chunk went when it stopped being filled');
  t.deepEqual(arena.view(next, 250), bytes(250, 5));
  const kept = arena.store(bytes(250, 6));
  arena.free(next, 250);
  t.is(arena.allocatedBytes, 1024, 'a chunk with live bytes is kept');
  t.deepEqual(arena.view(kept, 250), bytes(250, 6));
});

test('a large record gets a chunk of its own, released when it is freed', (t) => {
  const arena = new ValueArena(1024);
  arena.store(bytes(10, 1));
  const large = arena.store(bytes(300, 9));
  t.is(arena.allocatedBytes, 1024 + 300);
  t.deepEqual(arena.view(large, 300), bytes(300, 9));
  arena.free(large, 300);
  t.is(arena.allocatedBytes, 1024);
});

test('offsets survive locations past 2^32', (t) => {
  const arena = new ValueArena(64);
  let last = 0;
  for (let i = 0; i < 10; i++) last = arena.store(bytes(40, i));
  t.true(last >= 2 ** 32 * 9);
  t.is(arena.offsetOf(last), 0);
  t.deepEqual(arena.view(last, 40), bytes(40, 9));
});
