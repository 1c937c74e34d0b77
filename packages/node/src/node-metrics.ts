import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheNode } from './cache-node.js';
import type { JoinProgress } from '@brainer/protocol';

/** The figures of `CacheNode.stats()` that the metrics read. */
interface NodeStats {
  state: string;
  epoch: number;
  seq: number;
  keys: number;
  usedMemory: number | null;
  leaseMsLeft: number;
  progress: JoinProgress;
  readsServed: number;
  readsRefused: number;
  directReadsServed: number;
  directReadsRefused: number;
  snapshotBytesSent: number;
  storage?: { logBytes: number; fsyncs: number; compactions: number };
}

const NODE_STATES = ['registering', 'joining', 'ready'] as const;

type Read = (stats: NodeStats) => number;

/**
 * Puts a node's Prometheus families (`brainer_node_*`) in `registry`. Every one is read from the
 * node's stats when scraped, so the node's hot path does no metrics work at all.
 */
export function registerNodeMetrics(registry: Registry, node: Pick<CacheNode, 'stats'>): void {
  const registers = [registry];
  const stats = (): NodeStats => node.stats() as unknown as NodeStats;
  const scalar = (name: string, help: string, read: Read, type: 'gauge' | 'counter' = 'gauge'): void => {
    // A counter the node keeps already is read as it stands: reset, then set to it.
    const collect = function (this: { reset(): void; inc(value: number): void }): void {
      this.reset();
      this.inc(read(stats()));
    };
    if (type === 'gauge') new Gauge({ name, help, registers, collect });
    else new Counter({ name, help, registers, collect });
  };
  const byLabel = (name: string, help: string, label: string, reads: Record<string, Read>, type: 'gauge' | 'counter'): void => {
    const collect = function (this: { reset(): void; labels(value: string): { inc(value: number): void } }): void {
      this.reset();
      const current = stats();
      for (const [value, read] of Object.entries(reads)) this.labels(value).inc(read(current));
    };
    if (type === 'gauge') new Gauge({ name, help, labelNames: [label], registers, collect });
    else new Counter({ name, help, labelNames: [label], registers, collect });
  };

  scalar('brainer_node_keys', 'Keys held, expired ones not yet deleted included.', (s) => s.keys);
  scalar('brainer_node_bytes', 'Used memory as the broker counts it: key bytes + value bytes + 48 an entry.', (s) => s.usedMemory ?? 0);
  scalar('brainer_node_applied_seq', 'The last seq applied.', (s) => s.seq);
  scalar('brainer_node_epoch', 'The epoch of the data held.', (s) => s.epoch);
  scalar(
    'brainer_node_lease_seconds_left',
    'Time left on the read lease the broker granted, in seconds; 0 without one.',
    (s) => s.leaseMsLeft / 1000,
  );
  byLabel(
    'brainer_node_state',
    'The node state: 1 for the current one.',
    'state',
    Object.fromEntries(NODE_STATES.map((state) => [state, (s: NodeStats) => (s.state === state ? 1 : 0)])),
    'gauge',
  );
  byLabel(
    'brainer_node_reads_total',
    'Reads answered, routed by the broker or direct, by outcome: served, or refused (not ready, no lease).',
    'outcome',
    { served: (s) => s.readsServed, refused: (s) => s.readsRefused },
    'counter',
  );
  byLabel(
    'brainer_node_direct_reads_total',
    "Reads from clients straight to this node's endpoint, by outcome: served, or refused (not ready, no lease).",
    'outcome',
    { served: (s) => s.directReadsServed, refused: (s) => s.directReadsRefused },
    'counter',
  );
  scalar(
    'brainer_node_join_received_entries',
    'Entries (or backlog writes) received in the current or last join.',
    (s) => s.progress.received,
  );
  scalar(
    'brainer_node_join_total_entries',
    'Entries (or backlog writes) the current or last join has to receive.',
    (s) => s.progress.total,
  );
  scalar('brainer_node_snapshot_sent_bytes_total', 'Bytes of snapshot streamed to joining nodes.', (s) => s.snapshotBytesSent, 'counter');
  scalar('brainer_node_log_bytes', 'Size of the data log, with --data-dir; 0 without.', (s) => s.storage?.logBytes ?? 0);
  scalar('brainer_node_log_fsyncs_total', 'Syncs of the data log to disk, with --data-dir.', (s) => s.storage?.fsyncs ?? 0, 'counter');
  scalar(
    'brainer_node_log_compactions_total',
    'Compactions of the data log, with --data-dir.',
    (s) => s.storage?.compactions ?? 0,
    'counter',
  );
}
