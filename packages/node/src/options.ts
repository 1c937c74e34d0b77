import { randomBytes } from 'node:crypto';
import {
  DEFAULT_BROKER_ENDPOINT,
  DEFAULT_LIMITS,
  defaultNodeEndpoint,
  InvalidOptionError,
  parseBrokerList,
  requireCurveKey,
  requireCurveKeyPair,
  requireEndpoint,
  requireFileMode,
  requireInteger,
  silentLogger,
  type Limits,
  type Logger,
} from '@brainer/protocol';
import { MemoryEngine } from './memory-engine.js';
import type { StorageEngine } from './storage-engine.js';

export interface CacheNodeOptions {
  /**
   * The broker to register with, or several (`E1,E2` or a list): one leads and the others stand by
   * (PROTOCOL.md 5.17). The node talks to one at a time; it follows a standby's ERR_NOT_LEADER to
   * the leader it names, or else moves to the next in the list, and moves on to the next after
   * `heartbeatMs × heartbeatLiveness` of silence (or `brokerSilenceMs`, if shorter). Default
   * `broker.sock` in the private ipc directory (`DEFAULT_IPC_DIR`).
   */
  brokerEndpoint: string | readonly string[];
  /**
   * The node's own endpoint, for snapshot streaming and direct reads. Default `node-ID.sock` in the
   * private ipc directory (`DEFAULT_IPC_DIR`), created mode 0700 at bind.
   */
  nodeEndpoint: string;
  /** The node's id, unique in the cluster. Default `node-` and 8 random hex digits. */
  id: string;
  /** Heartbeat interval until the broker's welcome sets it, in ms. Default 500. */
  heartbeatMs: number;
  /** Heartbeat intervals without a word from the broker before the node logs it as silent. Default 3. */
  heartbeatLiveness: number;
  /**
   * How long the broker may stay silent before the node opens a new connection and registers again,
   * in ms. A shorter silence (a broker paused by GC, VM steal or SIGSTOP) keeps the node in the
   * cluster: it goes on heartbeating, and serves no direct read once its lease runs out. A broker that
   * restarted answers those heartbeats with ERR_UNKNOWN_NODE, and the node registers at once.
   * With several brokers, the node moves to the next one after `heartbeatMs × heartbeatLiveness` of
   * silence instead, if that is shorter: a leader silent that long is about to lose its lease.
   * Default 10,000.
   */
  brokerSilenceMs: number;
  /** Most writes a joining node buffers while its snapshot streams; past it the join restarts. Default 1,000,000. */
  joinBufferWrites: number;
  /** Most bytes of buffered writes while joining. Default 256 MiB. */
  joinBufferBytes: number;
  /** Snapshot chunks the joiner lets the source send ahead. Default 8. */
  snapshotCredit: number;
  /** Entries in one snapshot chunk. Default 2,000. */
  snapshotChunkEntries: number;
  /** How long a joiner waits for the next snapshot message before it gives the join up, in ms. Default 5,000. */
  snapshotTimeoutMs: number;
  /** Size limits on what the node accepts directly. */
  limits: Limits;
  /**
   * Largest `bucket` answer, in bytes of item names and values; a bigger bucket gets
   * ERR_REPLY_TOO_LARGE, and its items are read one by one. Default 64 MiB.
   */
  maxReplyBytes: number;
  /**
   * The broker's CURVE public key, Z85. With `curvePublicKey` and `curveSecretKey` it turns CURVE
   * on: the node connects to the broker as a CURVE client. Default: none (no CURVE).
   */
  curveServerKey: string | undefined;
  /**
   * The node's CURVE public key, Z85. Every node of a secured cluster has the same node key pair:
   * it is the node's identity towards the broker (which must allow this key), and the server key
   * of the node's own endpoint, where joiners fetch snapshots. A joiner therefore connects to its
   * snapshot source with this same key as the server key. Default: none.
   */
  curvePublicKey: string | undefined;
  /** The node's CURVE secret key, Z85; the pair of `curvePublicKey`. Default: none. */
  curveSecretKey: string | undefined;
  /**
   * With CURVE on, public keys besides the node key that may connect to the node's own endpoint,
   * such as clients that read from nodes directly. Default: none (only other nodes).
   */
  allowedClientKeys: ReadonlySet<string>;
  /** File mode given to the socket file of an `ipc://` node endpoint right after bind. Default 0o600 (owner only). */
  ipcSocketMode: number;
  /**
   * Register with an ipc broker socket (or one in a directory) that belongs to another user, not
   * root. Default false: that is refused with ERR_UNSAFE_ENDPOINT, since the socket's owner would
   * receive every write.
   */
  allowForeignSocket: boolean;
  /** The storage engine. Default: a new MemoryEngine. */
  engine: StorageEngine;
  logger: Logger;
  /** A monotonic clock in ms. Default `performance.now`. */
  now: () => number;
}

export const DEFAULT_CACHE_NODE_OPTIONS: Omit<CacheNodeOptions, 'id' | 'nodeEndpoint' | 'engine'> = {
  brokerEndpoint: DEFAULT_BROKER_ENDPOINT,
  heartbeatMs: 500,
  heartbeatLiveness: 3,
  brokerSilenceMs: 10_000,
  joinBufferWrites: 1_000_000,
  joinBufferBytes: 256 * 1024 * 1024,
  snapshotCredit: 8,
  snapshotChunkEntries: 2_000,
  snapshotTimeoutMs: 5_000,
  limits: DEFAULT_LIMITS,
  maxReplyBytes: 64 * 1024 * 1024,
  curveServerKey: undefined,
  curvePublicKey: undefined,
  curveSecretKey: undefined,
  allowedClientKeys: new Set(),
  ipcSocketMode: 0o600,
  allowForeignSocket: false,
  logger: silentLogger,
  now: () => performance.now(),
};

/** The options with defaults filled in, and the broker list parsed. */
export interface ResolvedCacheNodeOptions extends CacheNodeOptions {
  /** `brokerEndpoint` as a list: no duplicates, in the order given. */
  brokers: readonly string[];
}

export function resolveCacheNodeOptions(options: Partial<CacheNodeOptions>): ResolvedCacheNodeOptions {
  const id = options.id ?? `node-${randomBytes(4).toString('hex')}`;
  if (!/^[\w.:-]{1,128}$/.test(id)) throw new InvalidOptionError('id', 'must be 1 to 128 letters, digits, or . _ : -');
  const brokerEndpoint = options.brokerEndpoint ?? DEFAULT_CACHE_NODE_OPTIONS.brokerEndpoint;
  const resolved: ResolvedCacheNodeOptions = {
    ...DEFAULT_CACHE_NODE_OPTIONS,
    nodeEndpoint: defaultNodeEndpoint(id),
    engine: new MemoryEngine(),
    ...options,
    id,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    allowedClientKeys: new Set(options.allowedClientKeys ?? []),
    brokers: parseBrokerList('brokerEndpoint', brokerEndpoint),
  };
  requireEndpoint('nodeEndpoint', resolved.nodeEndpoint);
  requireInteger('heartbeatMs', resolved.heartbeatMs, 10, 60_000);
  requireInteger('heartbeatLiveness', resolved.heartbeatLiveness, 2, 100);
  requireInteger('brokerSilenceMs', resolved.brokerSilenceMs, 10, 3_600_000);
  requireInteger('joinBufferWrites', resolved.joinBufferWrites, 1);
  requireInteger('joinBufferBytes', resolved.joinBufferBytes, 1);
  requireInteger('snapshotCredit', resolved.snapshotCredit, 1, 1000);
  requireInteger('snapshotChunkEntries', resolved.snapshotChunkEntries, 1, 1_000_000);
  requireInteger('snapshotTimeoutMs', resolved.snapshotTimeoutMs, 10);
  requireInteger('limits.maxFrameBytes', resolved.limits.maxFrameBytes, 1024, 1024 * 1024 * 1024);
  requireInteger('maxReplyBytes', resolved.maxReplyBytes, 1);
  requireFileMode('ipcSocketMode', resolved.ipcSocketMode);
  requireCurveOptions(resolved);
  return resolved;
}

/** CURVE is all or nothing: the broker's key and the node's pair together, or none of them. */
function requireCurveOptions(options: CacheNodeOptions): void {
  const { curveServerKey, curvePublicKey, curveSecretKey, allowedClientKeys } = options;
  const given = { curveServerKey, curvePublicKey, curveSecretKey };
  const missing = Object.entries(given).filter(([, value]) => value === undefined);
  if (missing.length === 3) {
    if (allowedClientKeys.size > 0)
      throw new InvalidOptionError('allowedClientKeys', 'only works with CURVE on: set curveServerKey, curvePublicKey and curveSecretKey');
    return;
  }
  if (missing.length > 0) {
    const present = Object.keys(given).filter((field) => !missing.some(([name]) => name === field));
    throw new InvalidOptionError(
      missing[0]![0],
      `is needed with ${present.join(' and ')}: CURVE takes the broker's public key and the node's key pair`,
    );
  }
  requireCurveKey('curveServerKey', curveServerKey);
  requireCurveKeyPair('curvePublicKey', curvePublicKey, 'curveSecretKey', curveSecretKey);
  for (const key of allowedClientKeys) requireCurveKey('allowedClientKeys', key);
}
