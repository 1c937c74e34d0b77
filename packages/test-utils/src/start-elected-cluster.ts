import { Brainer } from '@brainer/client';
import type { LogOptions } from './log-args.js';
import type { ManagedProcess } from './managed-process.js';
import { startBroker } from './start-broker.js';
import { startEtcdCluster, type EtcdCluster } from './start-etcd.js';
import { startNode } from './start-node.js';

export interface ElectedClusterOptions extends LogOptions {
  /** etcd members, in one etcd cluster. Default 1. */
  etcdMembers?: number;
  /** More arguments for each etcd member, such as `--election-timeout`. */
  etcdArgs?: readonly string[];
  /** Brokers campaigning on the etcd. Default 2. */
  brokers?: number;
  /** Nodes, each given every broker. Default 3. */
  nodes?: number;
  /** The leader's etcd lease TTL, in s. Default 2. */
  leaseTtlS?: number;
  /** More arguments for each run-broker and each run-node. */
  brokerArgs?: readonly string[];
  nodeArgs?: readonly string[];
}

/** etcd, brokers that elect a leader on it, and nodes that follow the leader. */
export interface ElectedCluster {
  readonly etcd: EtcdCluster;
  readonly brokers: ManagedProcess[];
  readonly nodes: ManagedProcess[];
  /** Every broker's endpoint, comma-separated: what clients and nodes are given. */
  readonly endpoints: string;
  /** The broker that says it leads now, if one does. */
  leader(): Promise<ManagedProcess | undefined>;
  /** Stops every process started, by PID, and removes etcd's data. */
  stop(): Promise<void>;
}

/** A broker's own `stats` (its role, epoch and the leader it names; a standby answers too), asked of it alone; undefined when it does not answer. */
export async function brokerStanding(endpoint: string, timeoutMs = 1500): Promise<Record<string, unknown> | undefined> {
  const client = new Brainer(endpoint, { timeoutMs, reads: 'broker', followLeader: false });
  try {
    return await client.stats();
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

/** A broker's own word on its role; undefined when it does not answer. */
export async function brokerRole(endpoint: string, timeoutMs = 1000): Promise<string | undefined> {
  const standing = await brokerStanding(endpoint, timeoutMs);
  return standing === undefined ? undefined : String(standing.role ?? 'leader');
}

/** Starts etcd, the brokers (the first is given a moment to win), then the nodes; resolves once a leader serves every node. */
export async function startElectedCluster(options: ElectedClusterOptions = {}): Promise<ElectedCluster> {
  const etcd = await startEtcdCluster(options.etcdMembers ?? 1, undefined, undefined, options.etcdArgs);
  const brokers: ManagedProcess[] = [];
  const nodes: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled([...nodes, ...brokers].map((process) => process.stop()));
    await etcd.stop();
  };
  const leader = async (): Promise<ManagedProcess | undefined> => {
    const live = brokers.filter((broker) => !broker.hasExited);
    const roles = await Promise.all(live.map((broker) => brokerRole(broker.endpoint)));
    return live[roles.indexOf('leader')];
  };
  try {
    const electionArgs = ['--etcd', etcd.urls, '--cluster', 'brainer', '--lease-ttl', String(options.leaseTtlS ?? 2)];
    for (let i = 0; i < (options.brokers ?? 2); i++) {
      brokers.push(await startBroker({ ...options, args: [...electionArgs, ...(options.brokerArgs ?? [])] }));
    }
    const endpoints = brokers.map((broker) => broker.endpoint).join(',');
    for (let i = 0; i < (options.nodes ?? 3); i++) {
      nodes.push(await startNode(endpoints, { ...options, id: `node-${i + 1}`, args: options.nodeArgs }));
    }
    const client = new Brainer(endpoints, { timeoutMs: 5000, reads: 'broker' });
    try {
      const until = performance.now() + 30_000;
      for (;;) {
        const listed = await client.nodes().catch(() => []);
        if (listed.length === nodes.length && listed.every((node) => node.state === 'ready')) break;
        if (performance.now() > until) throw new Error('the elected cluster did not get every node ready within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await client.close();
    }
    return { etcd, brokers, nodes, endpoints, leader, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
