import test from 'ava';
import { DedupTable } from '../src/dedup-table.js';

const target = (opId: number) => ({ peer: '63', opId });

test('a pending write collects retries, which get its outcome when it completes', (t) => {
  const table = new DedupTable(10);
  const key = DedupTable.key('63', 1);
  table.pending(key, 'del');
  table.get(key)!.waiters.push(target(1), target(1));
  t.is(table.complete(key, true).length, 2);
  t.like(table.get(key), { done: true, removed: true, kind: 'del' });
});

test('a forgotten write leaves no entry, so a retry is applied afresh', (t) => {
  const table = new DedupTable(10);
  const key = DedupTable.key('63', 2);
  table.pending(key, 'set');
  table.forget(key);
  t.is(table.get(key), undefined);
});

test('it keeps the newest entries up to its capacity', (t) => {
  const table = new DedupTable(1000);
  for (let i = 0; i < 300_000; i++) table.pending(DedupTable.key('63', i), 'set');
  t.is(table.size, 1000);
  t.truthy(table.get(DedupTable.key('63', 299_999)));
  t.is(table.get(DedupTable.key('63', 298_999)), undefined);
});

test('entries loaded from a node count as done', (t) => {
  const table = new DedupTable(10);
  table.loadDone([['ab', 5, 'del', 1]]);
  t.like(table.get(DedupTable.key('ab', 5)), { done: true, removed: true });
});
