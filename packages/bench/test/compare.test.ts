import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { findRedisServer } from '../src/redis-cluster.js';
import { REPLICATED_WRITES, WORKLOAD_NAMES } from '../src/workloads.js';

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

/** The table of the replicated writes against the raw ZeroMQ write chain. */
const chainTable = (stdout: string): string =>
  stdout.slice(stdout.indexOf('Brainer ÷ raw write chain'), stdout.indexOf('Brainer CPU time per op'));
// A replicated write's row there: the chain's ops/s, p50, p99, p99.9, Brainer's ops/s and p50, then both ratios.
const chainRow = (name: string): RegExp => new RegExp(`^${name}(\\s+[\\d,]+){6}\\s+[\\d.]+\\s+[\\d.]+$`, 'm');

test.serial('bench --quick prints every row and exits 0 (no speed asserted)', async (t) => {
  t.timeout(300_000);
  const { code, stdout, stderr } = await runCompare([]);
  t.is(code, 0, `${stderr}\n--- stdout ---\n${stdout}`);
  for (const name of WORKLOAD_NAMES) t.truthy(rowOf(stdout, name), `row ${name} in:\n${stdout}`);
  t.truthy(rowOf(stdout, 'zmq echo'), 'the raw ZeroMQ floor');
  for (const { name } of REPLICATED_WRITES) t.regex(chainTable(stdout), chainRow(name), `write chain row ${name} in:\n${stdout}`);
  // The CPU table repeats every workload, with the broker's and the nodes' CPU per op.
  const cpuTable = stdout.slice(stdout.indexOf('Brainer CPU time per op'));
  for (const name of WORKLOAD_NAMES) t.regex(cpuTable, new RegExp(`^${name}(\\s+[\\d.]+){4}$`, 'm'), `CPU row ${name}`);
  // The replicated writes' CPU per write, process by process, against the chain's: three triples of figure, figure, ratio.
  const cpuOverChain = stdout.slice(stdout.indexOf('CPU per write, Brainer against the raw write chain'));
  for (const { name } of REPLICATED_WRITES) t.regex(cpuOverChain, new RegExp(`^${name}(\\s+[\\d.]+){9}$`, 'm'), `CPU ÷ chain row ${name}`);
  // Many callers on one client: Brainer, Redis on one connection, Redis on many (the writes only), and the ratio to the better.
  const oneClient = stdout.slice(stdout.indexOf('Many callers on one client'), stdout.indexOf('Brainer ÷ raw write chain'));
  t.regex(oneClient, /^W64-one(\s+[\d,]+){6}\s+[\d.]+$/m);
  t.regex(oneClient, /^R64-one(\s+[\d,]+){4}\s+-\s+-\s+[\d.]+$/m);
  t.regex(stdout, /host over the rounds: steal [\d.]+%, idle [\d.]+%, load average/);
  t.regex(stdout, /^W1: CPU per write, broker ÷ chain's\s+[\d.]+\s+≤ 1\.15\s+(yes|no)$/m, 'the targets, each with its figure');
  t.regex(stdout, /read scale-out \(R50, direct reads\): broker [\d.]+ µs CPU per read/);
  if (findRedisServer() === undefined) t.regex(stdout, /apt-get install redis-server/);
  // The saved results hold the write chain's figures: per row, and per round.
  const file = /results: (.*compare-.*\.json)/.exec(stdout)?.[1];
  t.truthy(file, 'the results file');
  const saved = JSON.parse(await readFile(file!, 'utf8')) as {
    rows: { workload: string; zmqChain: object | null; brainerOverZmqChain: number | null }[];
    rounds: { runs: Record<string, { zmqChain?: { ops: number } }> }[];
  };
  for (const row of saved.rows) {
    const write = REPLICATED_WRITES.some((w) => w.name === row.workload);
    // Only the replicated writes run on the chain; a ratio that is not a number is saved as null.
    t.is(row.zmqChain !== null, write, `zmqChain of ${row.workload}`);
    t.is(row.brainerOverZmqChain !== null, write, `brainerOverZmqChain of ${row.workload}`);
  }
  for (const { name } of REPLICATED_WRITES) t.true((saved.rounds[0]?.runs[name]?.zmqChain?.ops ?? 0) > 0, `round 1 ${name} chain`);
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
  for (const { name } of REPLICATED_WRITES) t.regex(chainTable(stdout), chainRow(name), `write chain row ${name}`);
});
