import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_LIMITS,
  InvalidOptionError,
  requireEndpoint,
  requireInteger,
  silentLogger,
  type Limits,
  type Logger,
} from '@brainer/protocol';
import { MemoryEngine } from './memory-engine.js';
import type { StorageEngine } from './storage-engine.js';

export interface CacheNodeOptions {
  /** The broker to register with. Default `ipc:///tmp/broker.sock`. */
  brokerEndpoint: string;
  /** The node's own endpoint, for snapshot streaming and direct reads. Default: an ipc path under the OS temp dir. */
  nodeEndpoint: string;
  /** The node's id, unique in the cluster. Default `node-` and 8 random hex digits. */
  id: string;
  /** Heartbeat interval until the broker's welcome sets it, in ms. Default 500. */
  heartbeatMs: number;
  /** Heartbeat answers the node may miss before it registers again. Default 3. */
  heartbeatLiveness: number;
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
  /** The storage engine. Default: a new MemoryEngine. */
  engine: StorageEngine;
  logger: Logger;
  /** A monotonic clock in ms. Default `performance.now`. */
  now: () => number;
}

export const DEFAULT_CACHE_NODE_OPTIONS: Omit<CacheNodeOptions, 'id' | 'nodeEndpoint' | 'engine'> = {
  brokerEndpoint: 'ipc:///tmp/broker.sock',
  heartbeatMs: 500,
  heartbeatLiveness: 3,
  joinBufferWrites: 1_000_000,
  joinBufferBytes: 256 * 1024 * 1024,
  snapshotCredit: 8,
  snapshotChunkEntries: 2_000,
  snapshotTimeoutMs: 5_000,
  limits: DEFAULT_LIMITS,
  logger: silentLogger,
  now: () => performance.now(),
};

export function resolveCacheNodeOptions(options: Partial<CacheNodeOptions>): CacheNodeOptions {
  const id = options.id ?? `node-${randomBytes(4).toString('hex')}`;
  if (!/^[\w.:-]{1,128}$/.test(id)) throw new InvalidOptionError('id', 'must be 1 to 128 letters, digits, or . _ : -');
  const resolved: CacheNodeOptions = {
    ...DEFAULT_CACHE_NODE_OPTIONS,
    nodeEndpoint: `ipc://${join(tmpdir(), `brainer-${id}.sock`)}`,
    engine: new MemoryEngine(),
    ...options,
    id,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
  requireEndpoint('brokerEndpoint', resolved.brokerEndpoint);
  requireEndpoint('nodeEndpoint', resolved.nodeEndpoint);
  requireInteger('heartbeatMs', resolved.heartbeatMs, 10, 60_000);
  requireInteger('heartbeatLiveness', resolved.heartbeatLiveness, 2, 100);
  requireInteger('joinBufferWrites', resolved.joinBufferWrites, 1);
  requireInteger('joinBufferBytes', resolved.joinBufferBytes, 1);
  requireInteger('snapshotCredit', resolved.snapshotCredit, 1, 1000);
  requireInteger('snapshotChunkEntries', resolved.snapshotChunkEntries, 1, 1_000_000);
  requireInteger('snapshotTimeoutMs', resolved.snapshotTimeoutMs, 10);
  return resolved;
}
