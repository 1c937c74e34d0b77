import test from 'ava';
import { nodesToRows, nodeToJson } from '../src/node-view.js';

const ready = { id: 'node1', endpoint: 'tcp://127.0.0.1:4000', state: 'ready', keys: 2, seq: 7, digest: 'abc' };

test('nodeToJson keeps exactly the six fields when the broker gives no sync', (t) => {
  t.deepEqual(nodeToJson({ ...ready, extra: 1 } as typeof ready), ready);
});

test('nodeToJson adds progress only when present, and turns bigints into numbers', (t) => {
  const joining = { ...ready, state: 'joining', seq: 7n, progress: { received: 10, total: 40 } };
  t.deepEqual(nodeToJson(joining), { ...ready, state: 'joining', progress: { received: 10, total: 40 } });
  t.false('progress' in nodeToJson({ ...ready, progress: undefined }));
});

test('nodesToRows has a PROGRESS column only when a node reports progress', (t) => {
  t.deepEqual(nodesToRows([ready])[0], ['ID', 'ENDPOINT', 'STATE', 'KEYS', 'SEQ', 'DIGEST']);
  const rows = nodesToRows([
    ready,
    { ...ready, id: 'node2', state: 'joining', progress: { received: 1, total: 4, percent: 25 } },
    { ...ready, id: 'node3', state: 'joining', progress: { received: 1, total: 4 } },
  ]);
  t.deepEqual(rows[0]?.at(-1), 'PROGRESS');
  t.deepEqual(rows[1]?.at(-1), '-');
  t.deepEqual(rows[2]?.at(-1), '25% (1/4)');
  t.deepEqual(rows[3]?.at(-1), '1/4');
});

test('nodeToJson and nodesToRows show how each node last caught up when the broker says', (t) => {
  const partial = { ...ready, sync: 'partial' };
  t.deepEqual(nodeToJson(partial), partial);
  const rows = nodesToRows([partial, { ...ready, id: 'node2', sync: 'full' }, { ...ready, id: 'node3' }]);
  t.deepEqual(rows[0], ['ID', 'ENDPOINT', 'STATE', 'KEYS', 'SEQ', 'DIGEST', 'SYNC']);
  t.deepEqual(
    rows.slice(1).map((row) => row.at(-1)),
    ['partial', 'full', '-'],
  );
});
