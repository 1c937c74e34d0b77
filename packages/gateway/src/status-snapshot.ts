import type { NodeInfo } from '@brainer/client';
import type { RingArc } from './ring-view.js';

/** One node as the status page shows it: `nodes()`'s answer plus its share of the ring (0 when not ready). */
export interface StatusNode extends NodeInfo {
  share: number;
}

/** The broker's figures the page shows, from `stats()`. */
export interface BrokerStatus {
  epoch: number;
  seq: number;
  partitioner: string;
  takingWrites: boolean;
  readsRouted: number;
}

/** What `GET /status/events` sends, once a poll: the cluster now, and the last minute's rates. */
export interface StatusSnapshot {
  /** When it was taken, in ms since the Unix epoch. */
  at: number;
  /** How often the gateway polls the broker, in ms. */
  intervalMs: number;
  broker?: BrokerStatus;
  nodes: StatusNode[];
  ring: RingArc[];
  /** Writes stamped and reads routed by the broker a second, one sample a poll, oldest first; null where an epoch changed. */
  rates: { writes: (number | null)[]; reads: (number | null)[] };
  /** Why the broker could not be asked, when it could not; the rest is then the last good answer. */
  error?: { code: string; message: string };
}

/** The broker's figures from a `stats()` answer, with zeros for any it lacks. */
export function brokerStatus(stats: Record<string, unknown>): BrokerStatus {
  const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  return {
    epoch: number(stats.epoch),
    seq: number(stats.seq),
    partitioner: typeof stats.partitioner === 'string' ? stats.partitioner : 'consistent',
    takingWrites: stats.takingWrites === true,
    readsRouted: number(stats.readsRouted),
  };
}
