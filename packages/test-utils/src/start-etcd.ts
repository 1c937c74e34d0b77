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
  /** Its client URL. */
  readonly url: string;
  /** Every member's client URL, comma-separated: what `run-broker --etcd` is given. */
  readonly urls: string;
  readonly pid: number;
  /** Whether its process runs now (it may have been killed). */
  readonly running: boolean;
  /** Everything it logged so far, across restarts. */
  readonly log: string;
  kill(signal?: NodeJS.Signals): void;
  /** Starts it again on the same ports and data (after a kill); resolves once it serves. */
  restart(timeoutMs?: number): Promise<void>;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
}

/** Several etcd members in one cluster: losing fewer than half of them changes nothing. */
export interface EtcdCluster {
  readonly members: EtcdProcess[];
  /** Every member's client URL, comma-separated. */
  readonly urls: string;
  /** Stops every member and removes their data. */
  stop(): Promise<void>;
}

/** Starts a one-member etcd on free loopback ports and resolves once it serves clients. */
export async function startEtcd(timeoutMs = 20_000): Promise<EtcdProcess> {
  return (await startEtcdCluster(1, timeoutMs)).members[0]!;
}

/** Starts `size` etcd members together (they need a quorum to serve) and resolves once each serves clients. */
export async function startEtcdCluster(size = 3, timeoutMs = 30_000): Promise<EtcdCluster> {
  const plans: MemberPlan[] = [];
  for (let i = 0; i < size; i++) {
    plans.push({
      name: `brainer-etcd-${i + 1}`,
      dataDir: await mkdtemp(join(tmpdir(), 'brainer-etcd-')),
      url: `http://127.0.0.1:${await freePort()}`,
      peer: `http://127.0.0.1:${await freePort()}`,
    });
  }
  const initialCluster = plans.map((plan) => `${plan.name}=${plan.peer}`).join(',');
  const urls = plans.map((plan) => plan.url).join(',');
  const members = plans.map((plan) => new EtcdMember(plan, initialCluster, urls));
  const stop = async (): Promise<void> => {
    await Promise.all(members.map((member) => member.stop()));
  };
  try {
    await Promise.all(members.map((member) => member.restart(timeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { members, urls, stop };
}

interface MemberPlan {
  readonly name: string;
  readonly dataDir: string;
  readonly url: string;
  readonly peer: string;
}

class EtcdMember implements EtcdProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    private readonly plan: MemberPlan,
    private readonly initialCluster: string,
    readonly urls: string,
  ) {}

  get url(): string {
    return this.plan.url;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get log(): string {
    return this.output;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    this.child?.kill(signal);
  }

  async restart(timeoutMs = 20_000): Promise<void> {
    if (this.running) throw new Error(`${this.plan.name} is still running`);
    const { name, dataDir, url, peer } = this.plan;
    const child = spawn(
      ETCD_BIN,
      [
        ...['--name', name, '--data-dir', dataDir],
        ...['--listen-client-urls', url, '--advertise-client-urls', url],
        ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer],
        ...['--initial-cluster', this.initialCluster, '--initial-cluster-state', 'new'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const startedAt = this.output.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`etcd ${name} did not serve within ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString();
        if (this.output.includes('ready to serve client requests', startedAt)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`etcd ${name} exited (${code}) before serving:\n${this.output}`));
      });
    });
  }

  async stop(): Promise<void> {
    if (this.running) this.child!.kill('SIGKILL');
    await this.exited;
    await rm(this.plan.dataDir, { recursive: true, force: true });
  }
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
