import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { LatencySummary } from '@brainer/loadgen';
import { topologyCpu, topologyRow, type TopologyRun } from '../src/topology-report.js';

// dist/test -> the repo root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const script = join(root, 'packages', 'bench', 'dist', 'src', 'topology.js');

test('bench:topology --quick prints a row for each replicated write and exits 0 (no speed asserted)', async (t) => {
  t.timeout(180_000);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [script, '--quick'], { cwd: root, timeout: 150_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
  t.is(code, 0, stderr);
  t.regex(stdout, /^workload\s+chain ops\/s\s+p50\s+direct-ack ops\/s/m);
  for (const workload of ['W1', 'W8', 'W50']) {
    // Two systems' ops/s and p50, two ratios, three CPU pairs.
    const row = new RegExp(`^${workload}(\\s+[\\d,]+){4}\\s+\\d+\\.\\d\\d\\s+\\d+\\.\\d\\d(\\s+\\d+ → \\d+){3}$`, 'm');
    t.regex(stdout, row, `row ${workload} in:\n${stdout}`);
  }
  t.regex(stdout, /results: .*topology-.*\.json/);
});

const summary = (opsPerSecond: number, p50Us: number): LatencySummary => ({
  ops: opsPerSecond,
  errors: 0,
  seconds: 1,
  opsPerSecond,
  p50Us,
  p99Us: p50Us * 2,
  p999Us: p50Us * 3,
});
const run = (opsPerSecond: number, p50Us: number): TopologyRun => ({
  summary: summary(opsPerSecond, p50Us),
  cpu: topologyCpu([300, 100, 120, 110, 90], 1),
});

test('a topology row takes medians over rounds, and the medians of the per-round ratios', (t) => {
  const row = topologyRow('W1', {
    chain: [run(1000, 500), run(2000, 400), run(500, 900)],
    directAck: [run(1500, 400), run(2200, 380), run(1000, 450)],
  });
  t.like(row.chain, { opsPerSecond: 1000, p50Us: 500 });
  t.like(row.directAck, { opsPerSecond: 1500, p50Us: 400 });
  // Per round: 1.5, 1.1, 2.0 and 1.25, 1.05..., 2.0.
  t.is(row.directAckOverChain, 1.5);
  t.is(row.chainP50OverDirectAck, 1.25);
  // The broker, then the nodes together and the busiest, then the driving process.
  t.deepEqual(row.chain.cpu, { broker: 300, nodes: 330, busiestNode: 120, driver: 90 });
});
