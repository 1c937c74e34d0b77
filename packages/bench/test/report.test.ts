import test from 'ava';
import type { LatencySummary } from '@brainer/loadgen';
import { buildRows, cpuPerOp, readScaleOut, type ReportRow, type RoundResult } from '../src/report.js';

test('cpuPerOp divides the client, the broker and the nodes by the ops, and names the busiest node', (t) => {
  t.deepEqual(cpuPerOp([700, 1000, 3000, 5000, 2000], 100), { client: 7, broker: 10, nodes: 100, busiestNode: 50 });
  t.true(Number.isNaN(cpuPerOp([700, 1000, 3000], 0).broker));
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
  const line = readScaleOut([row({ client: 30, broker: 0, nodes: 20, busiestNode: 7 })]);
  t.regex(line ?? '', /broker 0\.0 µs CPU per read, a node 20\.0 µs per read it serves/);
  t.regex(line ?? '', /1 node ≈ 50,000 reads\/s, 3 nodes ≈ 150,000 reads\/s, 10 nodes ≈ 500,000 reads\/s/);
  t.is(readScaleOut([row(null)]), undefined);
  t.is(readScaleOut([]), undefined);
});

test('buildRows sets the write chain beside the replicated writes only, with medians of per-round ratios', (t) => {
  const run = (opsPerSecond: number, p50Us: number): LatencySummary => ({
    ops: 1,
    errors: 0,
    seconds: 1,
    opsPerSecond,
    p50Us,
    p99Us: 1,
    p999Us: 1,
  });
  const rounds: RoundResult[] = [
    { round: 1, zmq: run(1, 1), runs: { W1: { brainer: run(100, 40), zmqChain: run(400, 10) }, R1: { brainer: run(100, 1) } } },
    { round: 2, zmq: run(1, 1), runs: { W1: { brainer: run(300, 30), zmqChain: run(600, 20) }, R1: { brainer: run(100, 1) } } },
    { round: 3, zmq: run(1, 1), runs: { W1: { brainer: run(200, 60), zmqChain: run(200, 30) }, R1: { brainer: run(100, 1) } } },
  ];
  const [w1, r1] = buildRows(rounds, [
    { name: 'W1', description: '' },
    { name: 'R1', description: '' },
  ]);
  // Per round, Brainer ÷ chain: ops/s 0.25, 0.5, 1; p50 4, 1.5, 2.
  t.is(w1?.brainerOverZmqChain, 0.5);
  t.is(w1?.brainerP50OverZmqChainP50, 2);
  t.is(w1?.zmqChain?.opsPerSecond, 400);
  t.is(r1?.zmqChain, null);
  t.is(r1?.brainerOverZmqChain, null);
  t.is(r1?.brainerP50OverZmqChainP50, null);
});

const summary = (opsPerSecond: number): LatencySummary => ({ ops: 1, errors: 0, seconds: 1, opsPerSecond, p50Us: 1, p99Us: 1, p999Us: 1 });

test('buildRows holds Brainer to the better of Redis’s two runs in each round', (t) => {
  const rounds: RoundResult[] = [
    { round: 1, zmq: summary(1), runs: { 'W64-one': { brainer: summary(300), redis: summary(100), redisMany: summary(200) } } },
    { round: 2, zmq: summary(1), runs: { 'W64-one': { brainer: summary(300), redis: summary(400), redisMany: summary(100) } } },
    { round: 3, zmq: summary(1), runs: { 'W64-one': { brainer: summary(300), redis: summary(100), redisMany: summary(600) } } },
  ];
  const [row] = buildRows(rounds, [{ name: 'W64-one', description: '' }]);
  // Per round, Brainer ÷ the better Redis: 1.5, 0.75, 0.5.
  t.is(row?.brainerOverRedis, 0.75);
  t.is(row?.redis?.opsPerSecond, 400, 'the median of the better runs (200, 400, 600)');
  t.is(row?.redisOneConnection?.opsPerSecond, 100);
  t.is(row?.redisManyConnections?.opsPerSecond, 200);
});

test('buildRows gives the CPU per write of each process over the chain’s, as medians of per-round ratios', (t) => {
  const cpu = (client: number, broker: number, nodes: number) => ({ client, broker, nodes, busiestNode: nodes / 3 });
  const rounds: RoundResult[] = [1, 2, 3].map((round) => ({
    round,
    zmq: summary(1),
    runs: { W1: { brainer: summary(1), zmqChain: summary(1), brainerCpu: cpu(100 * round, 300, 330), zmqChainCpu: cpu(100, 200, 300) } },
  }));
  const [row] = buildRows(rounds, [{ name: 'W1', description: '' }]);
  t.deepEqual(row?.cpuOverZmqChain, { client: 2, broker: 1.5, nodes: 1.1 });
  t.is(row?.zmqChainCpu?.broker, 200);
});
