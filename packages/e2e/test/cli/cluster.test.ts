import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { binPath, isAlive, runCli, waitFor } from '@brainer/test-utils';

interface RunningCluster {
  pid: number;
  output: () => string;
  childPids: () => number[];
  exited: Promise<number | null>;
}

/** Starts `brainer-cli cluster` and resolves once it has printed how to try it. */
function startClusterCommand(args: string[]): Promise<RunningCluster> {
  const child = spawn(process.execPath, [binPath('brainer-cli'), 'cluster', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const childPids = (): number[] =>
    [...output.matchAll(/\| (\{"event":"ready".*\})$/gm)].map((m) => (JSON.parse(m[1] ?? '{}') as { pid: number }).pid);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cluster did not come up\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve({ pid: child.pid ?? 0, output: () => output, childPids, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`cluster exited with ${String(code)}\n${output}`));
    });
  });
}

test('cluster starts a broker and N nodes with prefixed output, serves, stops them all, and starts again on the same ipc endpoint', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-cluster-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const endpoint = `ipc://${join(dir, 'broker.sock')}`;

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const cluster = await startClusterCommand(['--nodes', '2', '--endpoint', endpoint]);
    t.teardown(() => {
      for (const pid of [cluster.pid, ...cluster.childPids()]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    const output = cluster.output();
    t.regex(output, /^broker \| /m);
    t.regex(output, /^node1 {2}\| /m);
    t.regex(output, /^node2 {2}\| /m);
    t.true(output.includes('npx brainer-cli set hello world'), output);
    const pids = cluster.childPids();
    t.is(pids.length, 3, output);

    const set = await runCli([endpoint, 'set', 'hello', `world-${signal}`]);
    t.is(set.stdout, 'OK\n', set.stderr);
    const get = await runCli([endpoint, 'get', 'hello']);
    t.is(get.stdout, `world-${signal}\n`, get.stderr);

    process.kill(cluster.pid, signal);
    t.is(await cluster.exited, 0, cluster.output());
    await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeoutMs: 5000, description: 'children gone' });
  }
});

/** The pid of the latest ready line `name` printed through the cluster's output. */
function readyPid(output: string, name: string): number | undefined {
  const lines = [...output.matchAll(new RegExp(`^${name} *\\| (\\{"event":"ready".*\\})$`, 'gm'))];
  const last = lines.at(-1)?.[1];
  return last === undefined ? undefined : (JSON.parse(last) as { pid: number }).pid;
}

/** Kills the process `name` runs as now, and waits until the cluster has started it again. */
async function killAndAwaitRestart(cluster: RunningCluster, name: string): Promise<number> {
  const pid = readyPid(cluster.output(), name);
  if (pid === undefined) throw new Error(`no ready line from ${name}`);
  process.kill(pid, 'SIGKILL');
  return waitFor(
    () => {
      const now = readyPid(cluster.output(), name);
      return now !== pid ? now : undefined;
    },
    { timeoutMs: 20_000, description: `${name} restarted` },
  );
}

test('cluster restarts a broker or node that dies, saying so, and stops everything with exit 1 when one keeps dying', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-cluster-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const endpoint = `ipc://${join(dir, 'broker.sock')}`;
  const cluster = await startClusterCommand(['--nodes', '2', '--endpoint', endpoint]);
  t.teardown(() => {
    for (const pid of [cluster.pid, ...cluster.childPids()]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });
  t.is((await runCli([endpoint, 'set', 'kept', 'value'])).stdout, 'OK\n');

  await killAndAwaitRestart(cluster, 'node1');
  t.regex(cluster.output(), /^node1 {2}\| exited \(SIGKILL\); restarting it/m);
  await killAndAwaitRestart(cluster, 'broker');
  t.regex(cluster.output(), /^broker \| exited \(SIGKILL\); restarting it/m);
  // Each restarted process is back in the cluster: the value written before is read, and a new write is taken.
  await waitFor(async () => (await runCli([endpoint, 'set', 'after', 'restarts'])).stdout === 'OK\n', {
    timeoutMs: 20_000,
    description: 'a write after the restarts',
  });
  t.is((await runCli([endpoint, 'get', 'kept'])).stdout, 'value\n');

  for (let restart = 1; restart <= 3; restart++) await killAndAwaitRestart(cluster, 'node2');
  const pids = cluster.childPids();
  process.kill(readyPid(cluster.output(), 'node2') ?? 0, 'SIGKILL');
  t.is(await cluster.exited, 1, cluster.output());
  t.regex(cluster.output(), /node2 exited 4 times within 60 s; every process of the cluster is stopped/);
  await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeoutMs: 5000, description: 'children gone' });
});
