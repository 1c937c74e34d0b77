import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's etcd (etcd-server), which elects the leader among brokers. */
export const ETCD_BIN = '/usr/bin/etcd';

/** Whether etcd is installed here; tests that need it skip, loudly, where it is not. */
export function etcdInstalled(): boolean {
  return existsSync(ETCD_BIN);
}

/** One etcd member on loopback, with a data directory of its own. */
export interface EtcdProcess {
  /** Its client URL, for `run-broker --etcd`. */
  readonly url: string;
  readonly pid: number;
  /** Everything it logged so far. */
  readonly log: string;
  kill(signal?: NodeJS.Signals): void;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
}

/** Starts etcd on free loopback ports and resolves once it serves clients. */
export async function startEtcd(timeoutMs = 20_000): Promise<EtcdProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'brainer-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    ETCD_BIN,
    [
      ...['--name', 'brainer-test', '--data-dir', dataDir],
      ...['--listen-client-urls', url, '--advertise-client-urls', url],
      ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `brainer-test=${peer}`],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`etcd did not serve within ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('ready to serve client requests')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`etcd exited (${code}) before serving:\n${log}`));
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    get log() {
      return log;
    },
    kill: (signal = 'SIGTERM') => child.kill(signal),
    stop,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
