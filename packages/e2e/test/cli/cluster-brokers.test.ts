import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import test from 'ava';
import { binPath, isAlive, runCli, waitFor } from '@brainer/test-utils';
import { assertCliError } from './assert-cli-error.js';

// Issue 18: `cluster --brokers N` runs etcd from PATH, N brokers elected on it, and the nodes.
const etcdOnPath = (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, 'etcd')));
const etcdTest = etcdOnPath ? test : test.skip;
const because = etcdOnPath ? '' : ' [skipped: no etcd on PATH; apt-get install etcd-server]';
if (!etcdOnPath) console.warn('cluster --brokers tests SKIPPED: no etcd on PATH (Debian: apt-get install etcd-server)');

interface ElectedClusterCommand {
  pid: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `brainer-cli cluster` and resolves once it has printed how to try it. Generous: etcd, two brokers and the nodes start one after another on a shared machine. */
function startClusterCommand(args: string[]): Promise<ElectedClusterCommand> {
  const child = spawn(process.execPath, [binPath('brainer-cli'), 'cluster', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cluster did not come up\n${output}`));
    }, 90_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve({ pid: child.pid ?? 0, output: () => output, exited });
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

/** Every ready line each child printed through the cluster's output, by name, oldest first. */
function readyLines(output: string): Map<string, { pid: number; endpoint: string }[]> {
  const byName = new Map<string, { pid: number; endpoint: string }[]>();
  for (const [, name, json] of output.matchAll(/^(\S+) *\| (\{"event":"ready".*\})$/gm)) {
    const line = JSON.parse(json!) as { pid: number; endpoint: string };
    byName.set(name!, [...(byName.get(name!) ?? []), line]);
  }
  return byName;
}

interface Row {
  endpoint: string;
  role: string;
  leader: string | null;
}

async function brokers(list: string): Promise<Row[]> {
  const result = await runCli(['brokers', '--json', '--broker', list, '--timeout', '3000']);
  if (result.code !== 0) throw new Error(`brokers failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Row[];
}

etcdTest(
  `cluster --brokers 2 runs etcd, two elected brokers and the nodes; a client given both writes and reads; the standby takes over from a killed leader; SIGINT stops it all${because}`,
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'brainer-cluster-brokers-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const cluster = await startClusterCommand(['--brokers', '2', '--nodes', '2', '--endpoint', `ipc://${join(dir, 'broker.sock')}`]);
    const pids = (): number[] => [...readyLines(cluster.output()).values()].flat().map((line) => line.pid);
    const etcdLine = /^etcd +\| serving at (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+), data directory (\S+)\)$/m.exec(cluster.output());
    const etcdPid = Number(etcdLine?.[2]);
    const dataDir = etcdLine?.[3] ?? '';
    t.teardown(async () => {
      for (const pid of [cluster.pid, etcdPid, ...pids()]) if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
      if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
    });
    t.truthy(etcdLine, cluster.output());
    t.true(existsSync(dataDir), `etcd's data directory ${dataDir} exists while it runs`);

    const ready = readyLines(cluster.output());
    const first = ready.get('broker1')?.[0];
    const second = ready.get('broker2')?.[0];
    t.is(first?.endpoint, `ipc://${join(dir, 'broker.sock')}`);
    t.is(second?.endpoint, `ipc://${join(dir, 'broker-2.sock')}`);
    t.is(ready.get('node1')?.length, 1);
    t.is(ready.get('node2')?.length, 1);
    const list = `${first!.endpoint},${second!.endpoint}`;
    t.true(cluster.output().includes(`--broker ${list}`), 'the banner gives the connect string for clients');
    t.true(cluster.output().includes(`etcd at ${etcdLine![1]!}`), "the banner gives etcd's URL");

    t.is((await runCli(['set', 'hello', 'world', '--broker', list])).stdout, 'OK\n');
    t.is((await runCli(['get', 'hello', '--broker', list])).stdout, 'world\n');

    // One leads, the other stands by naming it.
    const rows = await brokers(list);
    t.deepEqual(rows.map((row) => row.role).sort(), ['leader', 'standby'], JSON.stringify(rows));
    const leading = rows.find((row) => row.role === 'leader')!;
    const standing = rows.find((row) => row.role === 'standby')!;
    t.is(standing.leader, leading.endpoint);
    const [leaderName, standbyName] = leading.endpoint === first!.endpoint ? ['broker1', 'broker2'] : ['broker2', 'broker1'];
    const leaderPid = ready.get(leaderName)![0]!.pid;

    process.kill(leaderPid, 'SIGKILL');
    await waitFor(async () => (await brokers(list)).find((row) => row.role === 'leader')?.endpoint === standing.endpoint, {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'the standby leads',
    });
    await waitFor(async () => (await runCli(['set', 'after', 'failover', '--broker', list])).stdout === 'OK\n', {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'a write after the failover',
    });
    t.is((await runCli(['get', 'hello', '--broker', list])).stdout, 'world\n', 'what was acknowledged before the kill is still there');
    t.is((await runCli(['get', 'after', '--broker', list])).stdout, 'failover\n');
    // The cluster says what happened, and starts the killed broker again once the standby leads: it comes back as a standby.
    t.regex(cluster.output(), new RegExp(`^${leaderName} \\| exited \\(SIGKILL\\); restarting it once another broker leads`, 'm'));
    await waitFor(() => (readyLines(cluster.output()).get(leaderName)?.length ?? 0) >= 2, {
      timeoutMs: 30_000,
      description: `${leaderName} restarted`,
    });
    t.regex(
      cluster.output(),
      new RegExp(`^${leaderName} \\| ${standbyName} leads now \\(${standing.endpoint}\\); restarting ${leaderName} as a standby`, 'm'),
    );
    await waitFor(async () => (await brokers(list)).find((row) => row.endpoint === leading.endpoint)?.role === 'standby', {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: 'the restarted broker stands by',
    });

    const started = [etcdPid, ...pids()];
    t.is(started.length, 6, 'etcd, two brokers, one restarted, two nodes');
    process.kill(cluster.pid, 'SIGINT');
    t.is(await cluster.exited, 0, cluster.output());
    await waitFor(() => started.every((pid) => !isAlive(pid)), { timeoutMs: 10_000, description: 'every process gone' });
    t.false(existsSync(dataDir), `etcd's data directory ${dataDir} removed`);
    t.true(cluster.output().includes(`removed etcd's data directory ${dataDir}`));
  },
);

test('cluster --brokers takes a whole number of at least 1; --lease-ttl needs --brokers 2 or more', async (t) => {
  const usage = { code: 'ERR_USAGE', exit: 2 };
  assertCliError(t, await runCli(['cluster', '--brokers', '0']), { ...usage, includes: '--brokers' });
  assertCliError(t, await runCli(['cluster', '--brokers', '1.5']), { ...usage, includes: '--brokers' });
  assertCliError(t, await runCli(['cluster', '--brokers', 'two']), { ...usage, includes: '--brokers' });
  assertCliError(t, await runCli(['cluster', '--lease-ttl', '3']), { ...usage, includes: '--lease-ttl' });
  assertCliError(t, await runCli(['cluster', '--brokers', '2', '--endpoint', 'inproc://x']), { ...usage, includes: 'inproc://x' });
});

test('cluster --brokers 2 without etcd on PATH fails at once with ENOENT and how to install it, starting nothing', async (t) => {
  const empty = await mkdtemp(join(tmpdir(), 'brainer-no-etcd-'));
  t.teardown(() => rm(empty, { recursive: true, force: true }));
  const result = await runCli(['cluster', '--brokers', '2'], { env: { PATH: empty } });
  assertCliError(t, result, { code: 'ENOENT', exit: 1, includes: 'apt-get install etcd-server' });
});
