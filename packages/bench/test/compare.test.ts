import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { findRedisServer } from '../src/redis-cluster.js';
import { WORKLOAD_NAMES } from '../src/workloads.js';

// dist/test -> the repo root.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const compare = join(root, 'packages', 'bench', 'dist', 'src', 'compare.js');

function runCompare(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [compare, '--quick', ...args], { cwd: root, timeout: 240_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

const rowOf = (stdout: string, name: string): string | undefined => stdout.split('\n').find((line) => line.startsWith(`${name} `));

test.serial('bench --quick prints every row and exits 0 (no speed asserted)', async (t) => {
  t.timeout(300_000);
  const { code, stdout, stderr } = await runCompare([]);
  t.is(code, 0, `${stderr}\n--- stdout ---\n${stdout}`);
  for (const name of WORKLOAD_NAMES) t.truthy(rowOf(stdout, name), `row ${name} in:\n${stdout}`);
  t.truthy(rowOf(stdout, 'zmq echo'), 'the raw ZeroMQ floor');
  // The CPU table repeats every workload, with the broker's and the nodes' CPU per op.
  const cpuTable = stdout.slice(stdout.indexOf('Brainer CPU time per op'));
  for (const name of WORKLOAD_NAMES) t.regex(cpuTable, new RegExp(`^${name}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+$`, 'm'), `CPU row ${name}`);
  t.regex(stdout, /read scale-out \(R50, direct reads\): broker [\d.]+ µs CPU per read/);
  if (findRedisServer() === undefined) t.regex(stdout, /apt-get install redis-server/);
  t.regex(stdout, /results: .*compare-.*\.json/);
});

test.serial('bench --quick without redis-server says how to install it and runs the rest', async (t) => {
  t.timeout(300_000);
  const { code, stdout, stderr } = await runCompare(['--redis-server', '/nonexistent/redis-server']);
  t.is(code, 0, `${stderr}\n--- stdout ---\n${stdout}`);
  t.regex(stdout, /apt-get install redis-server/);
  for (const name of WORKLOAD_NAMES) {
    const row = rowOf(stdout, name);
    t.truthy(row, `row ${name}`);
    // The Redis columns are dashes.
    t.regex(row ?? '', new RegExp(`^${name}\\s+-\\s+-\\s+-\\s+-\\s`));
  }
});
