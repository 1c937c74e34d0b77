import { join } from 'node:path';
import { Brainer, type BrainerOptions } from '@brainer/client';
import type { LogOptions } from './log-args.js';
import type { ManagedProcess, SpawnReadyOptions } from './managed-process.js';
import { startBroker } from './start-broker.js';
import { startNode, type StartNodeOptions } from './start-node.js';
import { waitFor } from './wait-for.js';

export interface StartClusterOptions extends SpawnReadyOptions, LogOptions {
  /** How many nodes. Default 3. */
  nodes?: number;
  /** Heartbeat interval in ms for the broker. Default: the broker's own (500). */
  heartbeatMs?: number;
  /**
   * Resolve only once the broker lists every node as `ready`. Default true. Set it to false to
   * watch a cluster form.
   */
  waitUntilReady?: boolean;
  /** More arguments for run-broker, such as `--curve-secret-file`. */
  brokerArgs?: readonly string[];
  /** More arguments for every run-node, such as `--curve-key-file`. */
  nodeArgs?: readonly string[];
  /** Each node keeps its data in `<dataDir>/<node id>` (`--data-dir`). Default: memory only. */
  dataDir?: string;
  /** Options for the clients that `client()` makes, and for the readiness probe, such as `curve`. */
  clientOptions?: Partial<BrainerOptions>;
}

export interface TestCluster {
  broker: ManagedProcess;
  /** The nodes, in start order (ids node1, node2, ...), including any added later. */
  nodes: ManagedProcess[];
  /** The broker's real endpoint. */
  endpoint: string;
  /** A connected client for this cluster, with the cluster's client options and these; `stop()` closes it. */
  client(options?: Partial<BrainerOptions>): Promise<Brainer>;
  /** Starts one more node on this broker; `stop()` stops it. */
  addNode(options?: StartNodeOptions): Promise<ManagedProcess>;
  /** Closes every client, then stops every node and the broker. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a broker and N nodes on loopback with free ports, as real child processes. */
export async function startCluster(options: StartClusterOptions = {}): Promise<TestCluster> {
  const count = options.nodes ?? 3;
  const broker = await startBroker({
    ...options,
    ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    args: options.brokerArgs ?? [],
  });
  const nodes: ManagedProcess[] = [];
  const clients: Brainer[] = [];
  const nodeOptions = (i: number, extra: StartNodeOptions = {}): StartNodeOptions => {
    const id = extra.id ?? `node${i + 1}`;
    return {
      env: options.env,
      readyTimeoutMs: options.readyTimeoutMs,
      logLevel: options.logLevel,
      debug: options.debug,
      id,
      ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, id) }),
      ...extra,
      args: [...(options.nodeArgs ?? []), ...(extra.args ?? [])],
    };
  };

  const cluster: TestCluster = {
    broker,
    nodes,
    endpoint: broker.endpoint,
    async client(clientOptions = {}) {
      const client = new Brainer(broker.endpoint, {
        ...options.clientOptions,
        ...clientOptions,
        timeoutMs: clientOptions.timeoutMs ?? options.clientOptions?.timeoutMs ?? 5000,
      });
      clients.push(client);
      await client.connect();
      return client;
    },
    async addNode(extra = {}) {
      const node = await startNode(broker.endpoint, nodeOptions(nodes.length, extra));
      nodes.push(node);
      return node;
    },
    async stop() {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
      await Promise.all(nodes.map((n) => n.stop()));
      await broker.stop();
    },
  };

  try {
    const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => startNode(broker.endpoint, nodeOptions(i))));
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    if (options.waitUntilReady ?? true) {
      const probe = await cluster.client();
      await waitFor(
        async () => {
          const listed = await probe.nodes();
          return listed.length === count && listed.every((n) => n.state === 'ready');
        },
        { timeoutMs: options.readyTimeoutMs ?? 20_000, description: `${count} ready nodes` },
      );
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
