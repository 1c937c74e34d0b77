import test from 'ava';
import { becameReady, findJoins, findLogEntries, joinRestartedForLostSource } from '../src/broker-log.js';

const log = [
  '2026-11-22T01:00:00.000Z INFO : broker listening {"endpoint":"tcp://127.0.0.1:4000","heartbeatMs":500,"leaseMs":1000}',
  '2026-11-22T01:00:01.000Z INFO : node joining {"node":"node2","endpoint":"tcp://127.0.0.1:4002","source":"node1","joinId":3,"seq":120}',
  '2026-11-22T01:00:01.500Z WARN : snapshot source lost; restarting the join {"node":"node2","source":"node1"}',
  '2026-11-22T01:00:01.500Z INFO : node joining {"node":"node2","endpoint":"tcp://127.0.0.1:4002","source":"node3","joinId":4,"seq":150}',
  '2026-11-22T01:00:02.000Z INFO : node ready {"node":"node2","endpoint":"tcp://127.0.0.1:4002","seq":160,"nodes":2}',
  '2026-11-22T01:00:02.100Z INFO : node joining {"node":"node9","endpoint":"tcp://127.0.0.1:4009","so',
].join('\n');

test('finds the joins of a node and their sources, in order', (t) => {
  const joins = findJoins(log, 'node2');
  t.deepEqual(
    joins.map((j) => [j.source, j.joinId]),
    [
      ['node1', 3],
      ['node3', 4],
    ],
  );
  t.deepEqual(
    findJoins(log, 'node2', joins[0]!.offset + 1).map((j) => j.source),
    ['node3'],
  );
});

test('skips a line cut short', (t) => {
  t.deepEqual(findJoins(log, 'node9'), []);
  t.is(findLogEntries(log, 'node joining').length, 2);
});

test('tells whether a node became ready and whether a join restarted for a lost source', (t) => {
  t.true(becameReady(log, 'node2'));
  t.false(becameReady(log, 'node3'));
  t.false(becameReady(log.slice(0, log.indexOf('node ready')), 'node2'));
  t.true(joinRestartedForLostSource(log, 'node2', 'node1'));
  t.false(joinRestartedForLostSource(log, 'node2', 'node3'));
});
