import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IP_BIN } from './network-lab.js';

/** Debian's etcd (etcd-server), which elects the leader among brokers. */
export const ETCD_BIN = '/usr/bin/etcd';

/**
 * etcd's raft timings made faster than its defaults (100 and 1000 ms), as RELIABILITY.md advises
 * for members on one LAN: a new raft leader within about half a second of losing one, well inside
 * what a broker with the default 2 s lease rides out.
 */
export const ETCD_FAST_RAFT: readonly string[] = ['--heartbeat-interval', '50', '--election-timeout', '400'];

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

/** Where one etcd member runs, when not on this process's loopback. */
export interface EtcdPlacement {
  /** The network namespace it runs in (`ip netns exec`). */
  netns: string;
  /** The address it listens on there; its ports are etcd's usual 2379 (clients) and 2380 (peers). */
  address: string;
}

/**
 * Starts `size` etcd members together (they need a quorum to serve) and resolves once each serves
 * clients. `placements` (one per member) puts them in network namespaces; by default they listen on
 * free loopback ports here. `extraArgs` go to every member (such as its raft timings).
 */
export async function startEtcdCluster(
  size = 3,
  timeoutMs = 30_000,
  placements?: readonly EtcdPlacement[],
  extraArgs: readonly string[] = [],
): Promise<EtcdCluster> {
  if (placements !== undefined && placements.length !== size) throw new Error(`${size} etcd members need ${size} placements`);
  const plans: MemberPlan[] = [];
  for (let i = 0; i < size; i++) {
    const placement = placements?.[i];
    plans.push({
      name: `brainer-etcd-${i + 1}`,
      dataDir: await mkdtemp(join(tmpdir(), 'brainer-etcd-')),
      url: placement ? `http://${placement.address}:2379` : `http://127.0.0.1:${await freePort()}`,
      peer: placement ? `http://${placement.address}:2380` : `http://127.0.0.1:${await freePort()}`,
      netns: placement?.netns,
    });
  }
  const initialCluster = plans.map((plan) => `${plan.name}=${plan.peer}`).join(',');
  const urls = plans.map((plan) => plan.url).join(',');
  const members = plans.map((plan) => new EtcdMember(plan, initialCluster, urls, extraArgs));
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
  readonly netns: string | undefined;
}

class EtcdMember implements EtcdProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(
    private readonly plan: MemberPlan,
    private readonly initialCluster: string,
    readonly urls: string,
    private readonly extraArgs: readonly string[],
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
    const { name, dataDir, url, peer, netns } = this.plan;
    const command = [
      ETCD_BIN,
      ...['--name', name, '--data-dir', dataDir],
      ...['--listen-client-urls', url, '--advertise-client-urls', url],
      ...['--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer],
      ...['--initial-cluster', this.initialCluster, '--initial-cluster-state', 'new'],
      ...this.extraArgs,
    ];
    // `ip netns exec` execs etcd in its own place: the child's PID is etcd's.
    const inNetns = netns === undefined ? command : [IP_BIN, 'netns', 'exec', netns, ...command];
    const child = spawn(inNetns[0]!, inNetns.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const startedAt = this.output.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`etcd ${name} did not serve within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
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

/** One member's own view of its cluster, from etcd's maintenance status (`etcdctl endpoint status`). */
export interface EtcdMemberStatus {
  /** This member's id. */
  memberId: string;
  /** The id of the member that leads etcd's raft, as this one sees it ("0" while none does). */
  leader: string;
  raftTerm: number;
}

/** Asks the member at `url` for its status, through etcd's JSON gateway; undefined when it does not answer in time. */
export async function etcdMemberStatus(url: string, timeoutMs = 2000): Promise<EtcdMemberStatus | undefined> {
  try {
    const response = await fetch(`${url}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { header?: { member_id?: string }; leader?: string; raftTerm?: string };
    if (body.header?.member_id === undefined) return undefined;
    return { memberId: body.header.member_id, leader: body.leader ?? '0', raftTerm: Number(body.raftTerm ?? 0) };
  } catch {
    return undefined;
  }
}

/** The member that leads etcd's raft now, as every running member agrees; undefined while they do not. */
export async function etcdRaftLeader(cluster: EtcdCluster): Promise<EtcdProcess | undefined> {
  const running = cluster.members.filter((member) => member.running);
  const statuses = await Promise.all(running.map((member) => etcdMemberStatus(member.url)));
  const leaderId = statuses[0]?.leader;
  if (leaderId === undefined || leaderId === '0' || statuses.some((status) => status?.leader !== leaderId)) return undefined;
  return running[statuses.findIndex((status) => status?.memberId === leaderId)];
}
