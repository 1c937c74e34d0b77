import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export const DEFAULT_REDIS_SERVER = '/usr/bin/redis-server';
export const REDIS_INSTALL_HINT =
  'redis-server not found: install it with `apt-get install redis-server` (Debian/Ubuntu). Running the rest.';

/** The redis-server binary to use, or undefined when it is not installed. */
export function findRedisServer(path = DEFAULT_REDIS_SERVER): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

export interface RedisInstance {
  port: number;
  pid: number;
}

export interface RedisCluster {
  master: RedisInstance;
  replicas: RedisInstance[];
  /** Kills every redis-server started here, by PID, and waits for them to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();
// Last resort if the bench dies without stopping: never leave a redis-server behind.
process.on('exit', () => {
  for (const child of started) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
});

/** A Redis master and `replicaCount` replicas (`--replicaof`) on loopback, persistence off, replication up. */
export async function startRedisCluster(server: string, replicaCount = 2): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'brainer-bench-redis-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.splice(0).map((child) => killAndWait(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const master = await startOne(server, dir, [], children);
    const replicas: RedisInstance[] = [];
    for (let i = 0; i < replicaCount; i++)
      replicas.push(await startOne(server, dir, ['--replicaof', '127.0.0.1', String(master.port)], children));
    await waitForReplication(master.port, replicas);
    return { master, replicas, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startOne(server: string, dir: string, extra: string[], children: ChildProcess[]): Promise<RedisInstance> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  args.push('--dbfilename', `dump-${port}.rdb`, '--daemonize', 'no', '--loglevel', 'warning', ...extra);
  const child = spawn(server, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  started.add(child);
  child.on('exit', () => started.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${server}`);
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${child.exitCode}): ${output}`);
    return (await tryPing(port)) === 'PONG';
  }, `redis-server on port ${port}`);
  return { port, pid };
}

async function tryPing(port: number): Promise<string | undefined> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await redis.ping();
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

async function waitForReplication(masterPort: number, replicas: RedisInstance[]): Promise<void> {
  const connect = async (port: number): Promise<Redis> => {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    await redis.connect();
    return redis;
  };
  const master = await connect(masterPort);
  const replicaClients = await Promise.all(replicas.map((r) => connect(r.port)));
  try {
    await waitUntil(async () => {
      const info = await master.info('replication');
      if (!info.includes(`connected_slaves:${replicas.length}`)) return false;
      const linked = await Promise.all(replicaClients.map(async (r) => (await r.info('replication')).includes('master_link_status:up')));
      return linked.every(Boolean);
    }, `${replicas.length} Redis replicas in sync`);
  } finally {
    master.disconnect();
    for (const r of replicaClients) r.disconnect();
  }
}

async function waitUntil(predicate: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** SIGTERM by PID, SIGKILL after a grace period, resolved once the process has exited. */
export async function killAndWait(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
