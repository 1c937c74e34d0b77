import test from 'ava';
import { formatBenchTable, missLines, viaBrokerLines, type BenchReport, type BenchRow } from '../src/bench/bench-report.js';

const row = (workload: BenchRow['workload'], reads: number, misses: number): BenchRow => ({
  workload,
  connections: 1,
  inFlight: 1,
  ops: 100,
  errors: 0,
  seconds: 1,
  opsPerSecond: 100,
  p50Us: 10,
  p99Us: 20,
  p999Us: 30,
  firstErrors: [],
  reads,
  misses,
});

const report = (preload: boolean, rows: BenchRow[]): BenchReport => ({
  options: {
    broker: 'tcp://127.0.0.1:1',
    workloads: rows.map((r) => r.workload),
    connections: 1,
    inFlight: 1,
    durationSeconds: 1,
    warmupSeconds: 0,
    keys: 10,
    valueBytes: 100,
    keyPrefix: 'bench:',
    reads: 'direct',
    preload,
    seed: 3,
    timeoutMs: 5000,
  },
  preload: preload ? { keys: 10, seconds: 0.1 } : null,
  rows,
  interrupted: false,
  readsViaBroker: null,
  cleanup: null,
});

test('the misses column is the share of reads that found nothing, and - for a run that did not read', (t) => {
  const table = formatBenchTable(report(true, [row('write', 0, 0), row('read', 4000, 1), row('ycsb-b', 200, 50), row('ycsb-c', 10, 0)]));
  const lines = table.split('\n');
  t.regex(lines[2]!, /^write .* -$/);
  t.regex(lines[3]!, /^read .* <0\.1%$/);
  t.regex(lines[4]!, /^ycsb-b .* 25\.0%$/);
  t.regex(lines[5]!, /^ycsb-c .* 0\.0%$/);
  t.regex(lines[6]!, /seed 3$/);
});

test('misses after a preload are reported, one line a run; without a preload they are expected and are not', (t) => {
  const rows = [row('read', 4000, 0), row('ycsb-b', 200, 50)];
  t.deepEqual(missLines(report(true, rows)), [
    'ycsb-b: 50 of 200 reads found no value although every key was preloaded (evicted by --maxmemory, expired, or deleted meanwhile)',
  ]);
  t.deepEqual(missLines(report(false, rows)), []);
});

test('direct reads that the broker routed after all are reported; none, or a run that did not check, say nothing', (t) => {
  const rows = [row('read', 4000, 0)];
  t.deepEqual(viaBrokerLines({ ...report(true, rows), readsViaBroker: 0 }), []);
  t.deepEqual(viaBrokerLines(report(true, rows)), []);
  const [line] = viaBrokerLines({ ...report(true, rows), readsViaBroker: 12 });
  t.regex(line!, /^the broker routed 12 reads during the run, though reads go straight to the nodes \(--reads direct\)/);
});
