import type { NodeState } from './op-codes.js';

/**
 * How a node last caught up, as `nodes` reports it (PROTOCOL.md 5.7): a snapshot from a peer
 * (`full`, 5.8), the broker's backlog (`partial`, 5.13), or not at all, ready with its own data
 * (`none`).
 */
export type SyncKind = 'full' | 'partial' | 'none';

/** The ways a node that must catch up does so: the `SyncKind`s that run a sync. */
export type CatchUpKind = Exclude<SyncKind, 'none'>;

/** Why a ready node cannot be trusted to hold every acknowledged write (`nodes` and `verify` show it). */
export interface NodeError {
  code: 'ERR_DATA_LOST';
  message: string;
}

/** One node in the broker's answer to `nodes` (PROTOCOL.md 5.7), a JSON object. */
export interface NodeInfo {
  id: string;
  endpoint: string;
  state: NodeState;
  keys: number;
  seq: number;
  digest: string;
  sync: SyncKind;
  /** Only while the node is joining. */
  progress?: { received: number; total: number; percent: number };
  /** How many seqs the node is behind the broker's last seq, by its last acknowledgement (as `brainer_broker_node_lag_seqs`). */
  lag?: number;
  /** Time left on the node's read lease by the broker's count, in ms; 0 when it holds none (a joining node never does). */
  leaseMs?: number;
  /**
   * Set when the node is ready but its content may miss acknowledged writes: it is behind a write
   * acknowledged to every ready node, or its epoch started from data that was not whole.
   */
  error?: NodeError;
}
