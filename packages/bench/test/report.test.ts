import test from 'ava';
import { cpuPerOp, readScaleOut, type ReportRow } from '../src/report.js';

test('cpuPerOp divides the broker and the nodes by the ops, and names the busiest node', (t) => {
  t.deepEqual(cpuPerOp([1000, 3000, 5000, 2000], 100), { broker: 10, nodes: 100, busiestNode: 50 });
  t.true(Number.isNaN(cpuPerOp([1000, 3000], 0).broker));
});

test('readScaleOut projects reads a second from the nodes’ CPU per read, and needs an R50 row', (t) => {
  const row = (brainerCpu: ReportRow['brainerCpu']): ReportRow =>
    ({
      workload: 'R50',
      description: '',
      redis: null,
      brainer: {},
      brainerOverRedis: null,
      brainerP50OverZmqP50: 1,
      brainerCpu,
    }) as ReportRow;
  const line = readScaleOut([row({ broker: 0, nodes: 20, busiestNode: 7 })]);
  t.regex(line ?? '', /broker 0\.0 µs CPU per read, a node 20\.0 µs per read it serves/);
  t.regex(line ?? '', /1 node ≈ 50,000 reads\/s, 3 nodes ≈ 150,000 reads\/s, 10 nodes ≈ 500,000 reads\/s/);
  t.is(readScaleOut([row(null)]), undefined);
  t.is(readScaleOut([]), undefined);
});
