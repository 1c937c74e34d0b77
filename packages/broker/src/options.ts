import {
  DEFAULT_BROKER_ENDPOINT,
  DEFAULT_LIMITS,
  InvalidOptionError,
  MAXMEMORY_POLICIES,
  requireCurveKey,
  requireEndpoint,
  requireFileMode,
  requireInteger,
  requirePartitionerName,
  silentLogger,
  DEFAULT_PARTITIONER,
  type Limits,
  type Logger,
  type PartitionerName,
  type MaxmemoryPolicy,
} from '@brainer/protocol';
import type { Registry } from 'prom-client';

export interface BrokerOptions {
  /**
   * The ROUTER endpoint clients and nodes connect to. Default `broker.sock` in the private ipc
   * directory (`DEFAULT_IPC_DIR`: `$XDG_RUNTIME_DIR/brainer`, `/run/brainer` for root, else
   * `/tmp/brainer-UID`), created mode 0700 at bind.
   */
  endpoint: string;
  /** Interval between heartbeats, in ms. Default 500. */
  heartbeatMs: number;
  /** Heartbeats a node may miss before it is dropped. Default 3. */
  heartbeatLiveness: number;
  /**
   * How long a heartbeat answer lets a node serve reads, in ms. It must be shorter than the
   * failure-detection window (`heartbeatMs * heartbeatLiveness`). Default `2 * heartbeatMs`.
   */
  leaseMs: number;
  /**
   * How long a starting broker holds the nodes' registrations before it starts an epoch from the
   * most advanced of them, in ms; at least `leaseMs`. Give a whole cluster restarted from disk the
   * time for every node to register. Default `leaseMs`.
   */
  startupWaitMs: number;
  /** How long a node has to answer a forwarded read before the next node is tried, in ms. Default 1000. */
  readTimeoutMs: number;
  /**
   * Most writes a ready node may be behind before it is dropped (it then joins again). Together
   * with the socket's high-water mark, this bounds what the broker holds for a slow node. Default 100,000.
   */
  maxOutstandingWrites: number;
  /** How long a client's `watch` lasts without renewal, in ms. Clients renew every second. Default 5000. */
  watchTtlMs: number;
  /**
   * Most writes kept in the backlog from which a node that comes back catches up without a snapshot
   * (a partial resync). Default 1,000,000.
   */
  backlogWrites: number;
  /** Most bytes of writes kept in the backlog. Default 64 MiB. */
  backlogBytes: number;
  /** Size limits on keys, values and batches. */
  limits: Limits;
  /**
   * How keys are placed on the ready nodes: `consistent` (a hash ring with virtual nodes) or
   * `rendezvous` (highest random weight). It picks each key's primary, which serves its reads and
   * acknowledges its `primary`-mode writes. Default `consistent`.
   */
  partitioner: PartitionerName;
  /**
   * The most used memory any ready node may hold, in bytes: key bytes + value bytes + 48 an entry
   * (protocol's `entryBytes`), as the nodes report it. 0 for no limit. Default 0.
   */
  maxmemory: number;
  /** What happens to a write that would pass `maxmemory` (the names are Redis's). Default `noeviction`. */
  maxmemoryPolicy: MaxmemoryPolicy;
  /** Keys sampled for each key evicted (Redis's `maxmemory-samples`): more is closer to exact LRU or LFU. Default 5. */
  maxmemorySamples: number;
  /**
   * The broker's CURVE secret key, Z85 (40 characters). When set, the ROUTER is a CURVE server:
   * every connection is encrypted, and only a peer whose public key is in `allowedClientKeys`
   * gets through the handshake. Clients and nodes need the matching public key. Default: none
   * (no CURVE: anyone who can reach the endpoint may connect).
   */
  curveSecretKey: string | undefined;
  /**
   * The Z85 public keys, of clients and nodes alike, that may connect when `curveSecretKey` is set.
   * Each refused connection is logged (at most one line per 5 s). Default: none.
   */
  allowedClientKeys: ReadonlySet<string>;
  /** File mode given to the socket file of an `ipc://` endpoint right after bind. Default 0o600 (owner only). */
  ipcSocketMode: number;
  /**
   * What the broker does when no node whose data is whole is present but others are (a joiner cut
   * off from its source, a node whose log was damaged): false, it waits for a whole node and answers
   * writes and reads with ERR_NOT_READY; true, it starts an epoch from the most advanced of the nodes
   * that are not whole, losing the acknowledged writes they lack, logs that as an error, and `nodes`
   * and `verify` flag the epoch. Default false.
   */
  acceptDataLoss: boolean;
  /**
   * etcd's client URLs (such as http://127.0.0.1:2379). When given, the broker campaigns for
   * leadership in etcd and stands by until it wins (PROTOCOL.md 5.17). Default: none, the broker
   * leads alone.
   */
  etcd: readonly string[];
  /** Brokers of one cluster campaign under one name in etcd. Default `brainer`. */
  cluster: string;
  /** The TTL of the leader's etcd lease, in seconds: how long a dead leader keeps the cluster waiting. Default 2. */
  electionTtlS: number;
  /**
   * A prom-client registry to put the broker's `brainer_broker_*` families in (see docs/METRICS.md).
   * Default: none, no metrics.
   */
  metrics: Registry | undefined;
  /** Where the broker logs. Default: silent. */
  logger: Logger;
  /** A monotonic clock in ms. Default `performance.now`. */
  now: () => number;
}

export const DEFAULT_BROKER_OPTIONS: BrokerOptions = {
  endpoint: DEFAULT_BROKER_ENDPOINT,
  heartbeatMs: 500,
  heartbeatLiveness: 3,
  leaseMs: 1000,
  startupWaitMs: 1000,
  readTimeoutMs: 1000,
  maxOutstandingWrites: 100_000,
  watchTtlMs: 5000,
  backlogWrites: 1_000_000,
  backlogBytes: 64 * 1024 * 1024,
  limits: DEFAULT_LIMITS,
  partitioner: DEFAULT_PARTITIONER,
  maxmemory: 0,
  maxmemoryPolicy: 'noeviction',
  maxmemorySamples: 5,
  curveSecretKey: undefined,
  allowedClientKeys: new Set(),
  ipcSocketMode: 0o600,
  acceptDataLoss: false,
  etcd: [],
  cluster: 'brainer',
  electionTtlS: 2,
  metrics: undefined,
  logger: silentLogger,
  now: () => performance.now(),
};

export function resolveBrokerOptions(options: Partial<BrokerOptions>): BrokerOptions {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_BROKER_OPTIONS.heartbeatMs;
  const resolved: BrokerOptions = {
    ...DEFAULT_BROKER_OPTIONS,
    leaseMs: 2 * heartbeatMs,
    ...options,
    startupWaitMs: options.startupWaitMs ?? options.leaseMs ?? 2 * heartbeatMs,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    allowedClientKeys: new Set(options.allowedClientKeys ?? []),
  };
  requireEndpoint('endpoint', resolved.endpoint);
  requireInteger('heartbeatMs', resolved.heartbeatMs, 10, 60_000);
  requireInteger('heartbeatLiveness', resolved.heartbeatLiveness, 2, 100);
  requireInteger('leaseMs', resolved.leaseMs, 1, 600_000);
  requireInteger('startupWaitMs', resolved.startupWaitMs, resolved.leaseMs, 600_000);
  requireInteger('readTimeoutMs', resolved.readTimeoutMs, 1, 600_000);
  requireInteger('maxOutstandingWrites', resolved.maxOutstandingWrites, 1);
  requireInteger('watchTtlMs', resolved.watchTtlMs, 1, 600_000);
  requireInteger('backlogWrites', resolved.backlogWrites, 0);
  requireInteger('backlogBytes', resolved.backlogBytes, 0);
  requireInteger('limits.maxKeyBytes', resolved.limits.maxKeyBytes, 1);
  requireInteger('limits.maxValueBytes', resolved.limits.maxValueBytes, 0);
  requireInteger('limits.maxBatchOps', resolved.limits.maxBatchOps, 1);
  requireInteger('limits.maxFrameBytes', resolved.limits.maxFrameBytes, 1024, 1024 * 1024 * 1024);
  requireFileMode('ipcSocketMode', resolved.ipcSocketMode);
  if (typeof resolved.acceptDataLoss !== 'boolean') throw new InvalidOptionError('acceptDataLoss', 'must be true or false');
  requirePartitionerName('partitioner', resolved.partitioner);
  for (const url of resolved.etcd) {
    if (!/^https?:\/\/[^\s/]+$/.test(url))
      throw new InvalidOptionError('etcd', `must be URLs such as http://127.0.0.1:2379, got ${JSON.stringify(url)}`);
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(resolved.cluster)) {
    throw new InvalidOptionError('cluster', 'must be 1 to 64 letters, digits, dots, dashes or underscores');
  }
  requireInteger('electionTtlS', resolved.electionTtlS, 1, 600);
  requireInteger('maxmemory', resolved.maxmemory, 0);
  requireInteger('maxmemorySamples', resolved.maxmemorySamples, 1, 64);
  if (!(MAXMEMORY_POLICIES as readonly unknown[]).includes(resolved.maxmemoryPolicy)) {
    throw new InvalidOptionError(
      'maxmemoryPolicy',
      `must be one of ${MAXMEMORY_POLICIES.join(', ')}, got ${String(resolved.maxmemoryPolicy)}`,
    );
  }
  if (resolved.curveSecretKey !== undefined) requireCurveKey('curveSecretKey', resolved.curveSecretKey);
  for (const key of resolved.allowedClientKeys) requireCurveKey('allowedClientKeys', key);
  if (resolved.curveSecretKey !== undefined && resolved.allowedClientKeys.size === 0) {
    throw new InvalidOptionError(
      'allowedClientKeys',
      'must hold at least one public key when curveSecretKey is set, or no node could connect',
    );
  }
  if (resolved.curveSecretKey === undefined && resolved.allowedClientKeys.size > 0) {
    throw new InvalidOptionError('allowedClientKeys', 'only works with curveSecretKey: set it too');
  }
  if (resolved.leaseMs >= resolved.heartbeatMs * resolved.heartbeatLiveness) {
    throw new InvalidOptionError('leaseMs', 'must be shorter than heartbeatMs * heartbeatLiveness');
  }
  return resolved;
}
