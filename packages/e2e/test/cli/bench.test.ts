import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { binPath, runCli, startCluster, waitFor } from '@brainer/test-utils';
import type { BenchReport as Report } from '@brainer/cli';
import { assertCliError } from './assert-cli-error.js';

const QUICK = ['--duration', '0.4', '--warmup', '0.1'];

test('bench --json runs every workload against a 2-node cluster: ops, no errors, ordered percentiles; the keys are there and the nodes agree', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const workloads = ['write', 'write-primary', 'read', 'ycsb-a', 'ycsb-b', 'ycsb-c'];
  const result = await runCli([
    'bench',
    '--broker',
    cluster.endpoint,
    '--json',
    ...QUICK,
    '--workload',
    'write,write-primary,read',
    '--workload',
    'ycsb-a,ycsb-b,ycsb-c',
    '--connections',
    '2',
    '--in-flight',
    '4',
    '--keys',
    '500',
    '--value-bytes',
    '64',
  ]);
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  const report = JSON.parse(result.stdout) as Report;
  t.like(report.options, {
    workloads,
    connections: 2,
    inFlight: 4,
    keys: 500,
    valueBytes: 64,
    keyPrefix: 'bench:',
    reads: 'direct',
    seed: 1,
  });
  t.is(report.preload?.keys, 500);
  t.is(report.readsViaBroker, 0, 'every read went straight to a node');
  t.false(report.interrupted);
  t.deepEqual(
    report.rows.map((row) => row.workload),
    workloads,
  );
  for (const row of report.rows) {
    t.like(row, { connections: 2, inFlight: 4, errors: 0, seconds: 0.4, firstErrors: [], misses: 0 }, row.workload);
    t.true(row.ops > 0, row.workload);
    // Every key was preloaded: each read found its value. Only the write workloads read nothing.
    t.is(row.reads > 0, !row.workload.startsWith('write'), `${row.workload} reads ${row.reads}`);
    t.true(row.p50Us > 0 && row.p50Us <= row.p99Us && row.p99Us <= row.p999Us, JSON.stringify(row));
  }

  // The preload wrote every key of the space, and the last fence; the writes kept their value.
  const client = await cluster.client();
  const keys = await client.keys('bench:*');
  t.is(keys.length, 501);
  t.true(keys.includes('bench:000') && keys.includes('bench:499') && keys.includes('bench:fence'));
  t.is(await client.get('bench:123'), 'v'.repeat(64));
  t.true((await client.verify()).ok);
  const nodes = await client.nodes();
  t.deepEqual(
    nodes.map((node) => node.keys),
    [501, 501],
  );
});

test('bench prints a table by default; a write run leaves its keys on every node, and nothing when it only writes', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const result = await runCli([
    'bench',
    '--broker',
    cluster.endpoint,
    ...QUICK,
    '--keys',
    '50',
    '--key-prefix',
    'load:',
    '--reads',
    'broker',
  ]);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  t.is(lines.length, 4, result.stdout);
  t.regex(lines[0]!, /^workload\s+conns×in-flight\s+ops\/s\s+p50\s+p99\s+p99\.9\s+errors\s+misses$/);
  t.regex(lines[1]!, /^-+( +-+){7}$/);
  t.regex(lines[2]!, /^write\s+1×1\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+0\s+-$/);
  t.regex(lines[3]!, /^latencies in µs; 0\.4 s measured after a 0\.1 s warmup, 50 keys × 100 B, reads broker, seed 1$/);
  // Progress goes to stderr; no preload for a workload that only writes.
  t.regex(result.stderr, /^running write: 1 connection\(s\) × 1 in flight/);
  t.notRegex(result.stderr, /preload/);
  t.regex(result.stderr, /the bench keys \(load:0\.\.\. and load:fence\) stay in the cluster; --cleanup deletes them when done\n$/);

  const client = await cluster.client();
  const keys = await client.keys('load:*');
  t.true(keys.length > 0 && keys.length <= 50);
  t.true(keys.every((key) => /^load:\d\d$/.test(key)));
  t.is(await client.get(keys[0]!), 'v'.repeat(100));
  t.true((await client.verify()).ok);
  t.deepEqual(
    (await client.nodes()).map((node) => node.keys),
    [keys.length, keys.length],
  );
});

test('bench --cleanup deletes every key it wrote, preload and fence included, and says so', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const client = await cluster.client();
  await client.set('mine', 'kept');
  const args = ['bench', '--broker', cluster.endpoint, ...QUICK, '--keys', '300', '--workload', 'write,read', '--cleanup'];
  const result = await runCli(args);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /deleted 301 bench keys in [\d.]+ s\n/);
  t.notRegex(result.stderr, /stay in the cluster/);
  t.deepEqual(await client.keys('*'), ['mine']);
  t.true((await client.verify()).ok);

  const json = await runCli([...args, '--json']);
  t.is(json.code, 0, json.stderr);
  t.is((JSON.parse(json.stdout) as Report).cleanup?.deleted, 301);
  t.deepEqual(await client.keys('*'), ['mine']);
});

test('bench --no-preload counts reads of missing keys as misses, with no warning; --seed draws the same keys again', async (t) => {
  const cluster = await startCluster({ nodes: 1 });
  t.teardown(() => cluster.stop());
  const empty = await runCli(['bench', '--broker', cluster.endpoint, ...QUICK, '--workload', 'ycsb-c', '--no-preload', '--seed', '7']);
  t.is(empty.code, 0, empty.stderr);
  t.regex(empty.stdout, /^ycsb-c\s+1×1\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+[\d,]+\s+0\s+100\.0%$/m);
  t.regex(empty.stdout, /seed 7$/m);
  t.notRegex(empty.stderr, /found no value/);

  // One op in flight takes the keys in the order they are drawn: the same seed writes a prefix of
  // the same sequence of keys, another seed other keys.
  const writtenKeys = async (prefix: string, seed: string): Promise<Set<string>> => {
    const run = await runCli(['bench', '--broker', cluster.endpoint, ...QUICK, '--key-prefix', prefix, '--seed', seed]);
    t.is(run.code, 0, run.stderr);
    const client = await cluster.client();
    return new Set((await client.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)));
  };
  const [first, again, other] = [await writtenKeys('a:', '5'), await writtenKeys('b:', '5'), await writtenKeys('c:', '6')];
  const [fewer, more] = first.size <= again.size ? [first, again] : [again, first];
  t.true(fewer.size > 10);
  t.true(
    [...fewer].every((key) => more.has(key)),
    'the same seed writes the same keys',
  );
  t.false(
    [...other].every((key) => more.has(key)),
    'another seed writes other keys',
  );
});

test('bench counts failed ops as errors, prints the first of each code, and exits 1', async (t) => {
  // The broker takes values of at most 100 bytes: every write of 200 fails.
  const cluster = await startCluster({ nodes: 2, brokerArgs: ['--max-value-bytes', '100'] });
  t.teardown(() => cluster.stop());
  const json = await runCli([
    'bench',
    '--broker',
    cluster.endpoint,
    '--json',
    ...QUICK,
    '--value-bytes',
    '200',
    '--workload',
    'write-primary',
  ]);
  t.is(json.code, 1, json.stderr);
  const [row] = (JSON.parse(json.stdout) as Report).rows;
  t.is(row?.ops, 0);
  t.true(row!.errors > 0);
  t.deepEqual(row?.firstErrors, [{ code: 'ERR_VALUE_TOO_LARGE', message: 'value is 200 bytes; the limit is 100' }]);

  const text = await runCli(['bench', '--broker', cluster.endpoint, ...QUICK, '--value-bytes', '200']);
  t.is(text.code, 1);
  t.regex(text.stdout, /^write\s+1×1\s+0\s+-\s+-\s+-\s+[\d,]+\s+-$/m);
  t.regex(text.stderr, /^write: \d+ ops failed; ERR_VALUE_TOO_LARGE value is 200 bytes; the limit is 100$/m);

  // The preload fails at its first write, with the code of the failure.
  const preload = await runCli(['bench', '--broker', cluster.endpoint, '--json', ...QUICK, '--value-bytes', '200', '--workload', 'read']);
  t.is(preload.code, 1);
  t.is(preload.stdout, '');
  const { error } = JSON.parse(preload.stderr) as { error: { code: string; message: string } };
  t.is(error.code, 'ERR_VALUE_TOO_LARGE');
  t.true(error.message.startsWith('preloading the keys failed: value is 200 bytes'), error.message);
});

test('bench stops early on SIGINT, prints what it measured, and exits 130', async (t) => {
  const cluster = await startCluster({ nodes: 2 });
  t.teardown(() => cluster.stop());
  const child = spawn(
    process.execPath,
    [
      binPath('brainer-cli'),
      'bench',
      '--broker',
      cluster.endpoint,
      '--duration',
      '600',
      '--warmup',
      '0',
      '--workload',
      'write,write-primary',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.teardown(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await waitFor(() => stderr.includes('running write'), { timeoutMs: 20_000, description: 'the write run to start' });
  // Some ops measured before the signal.
  const client = await cluster.client();
  await waitFor(async () => (await client.keys('bench:*')).length > 10, { timeoutMs: 20_000, description: 'writes' });
  child.kill('SIGINT');
  t.is(await exited, 130, stderr);
  t.regex(stdout, /^write\s+1×1\s+[\d,]+\s/m);
  t.notRegex(stdout, /^write-primary/m);
  t.regex(stdout, /interrupted \(SIGINT\)/);
  t.notRegex(stderr, /running write-primary/);
});

test('bench against a broker that cannot be reached fails with the usual one line, exit 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-bench-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const endpoint = `ipc://${join(dir, 'nobody.sock')}`;
  const result = await runCli(['bench', '--broker', endpoint, '--timeout', '300', '--connections', '3']);
  assertCliError(t, result, { code: 'ERR_UNREACHABLE', exit: 1, includes: `cannot reach the broker at ${endpoint}` });
  // With --json, the error is JSON too.
  const json = await runCli(['bench', '--broker', endpoint, '--timeout', '300', '--connections', '3', '--json']);
  t.is(json.code, 1);
  t.is(json.stdout, '');
  t.like(JSON.parse(json.stderr), { error: { code: 'ERR_UNREACHABLE' } });
});

test('bench refuses wrong usage with ERR_USAGE and exit 2, before it connects', async (t) => {
  const broker = ['--broker', 'tcp://127.0.0.1:1'];
  const cases = [
    [['--connections', '0'], '--connections'],
    [['--in-flight', '0'], '--in-flight'],
    [['--workload', 'write,scan'], 'scan'],
    [['--duration', '0'], '--duration'],
    [['--duration', '10s'], '--duration'],
    [['--warmup', '-1'], '--warmup'],
    [['--value-bytes', String(16 * 1024 * 1024 + 1)], '--value-bytes'],
    [['--keys', '1', '--workload', 'ycsb-a'], 'zipfian'],
    [['--connections', '1000', '--in-flight', '1000'], 'in flight'],
    [['--reads', 'sometimes'], 'sometimes'],
    [['--seed', '-1'], '--seed'],
    [['--node-key-file', 'node.pub'], 'are for CURVE'],
    [['--curve-key-file', 'missing.key', '--broker-key-file', 'missing.pub'], "needs the nodes' public key"],
    [
      ['--curve-key-file', 'missing.key', '--broker-key-file', 'missing.pub', '--reads', 'broker', '--node-key-file', 'node.pub'],
      'are for --reads direct',
    ],
  ] as const;
  // All at once: each is a CLI start, and none reaches the broker or reads a key file.
  const results = await Promise.all(cases.map(([args]) => runCli(['bench', ...broker, ...args])));
  results.forEach((result, i) => assertCliError(t, result, { code: 'ERR_USAGE', exit: 2, includes: cases[i]![1] }));
});
