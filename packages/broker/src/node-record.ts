import type { JoinProgress, NodeState } from '@brainer/protocol';

/** What the broker knows of one registered node. */
export interface NodeRecord {
  /** The node's ZeroMQ routing id, and its hex form used as a map key. */
  readonly peer: Buffer;
  readonly peerKey: string;
  readonly id: string;
  /** The node process's incarnation, from its registration: another under the same id is another process. */
  readonly incarnation: string;
  readonly endpoint: string;
  state: NodeState;
  /** Every write up to this seq is applied on the node (meaningful once ready). */
  acked: number;
  /** Monotonic time of the last heartbeat received. */
  lastHeartbeatAt: number;
  /** Monotonic time the last heartbeat answered was received: the node's lease ends by this + leaseMs. */
  leaseGrantedAt: number;
  /** Figures from the node's last heartbeat or stats answer. */
  keys: number;
  seq: number;
  digest: string;
  progress: JoinProgress;
  /** While joining: the join's id and the peer streaming the snapshot. */
  joinId: number;
  sourceId: string;
  /** How the node last caught up: a snapshot (`full`), the backlog (`partial`), or not at all, ready with its own data (`none`). */
  sync: SyncKind;
  /** What the node said it held when it registered, for the seed policy. */
  readonly registered: RegisteredData;
  /** Joining with no source: it keeps its data and waits until a node whose data is whole is ready. */
  waiting: boolean;
}

/** A registration's claim: (epoch, seq) and digest of the data, and whether it is whole (`resume`). */
export interface RegisteredData {
  whole: boolean;
  epoch: number;
  seq: number;
  digest: string;
}

/** Why a ready node cannot be trusted to hold every acknowledged write (`nodes` and `verify` show it). */
export interface NodeError {
  code: 'ERR_DATA_LOST';
  message: string;
}

export type SyncKind = 'full' | 'partial' | 'none';

/** The public view of a node, as `nodes` answers it. */
export interface NodeInfo {
  id: string;
  endpoint: string;
  state: NodeState;
  keys: number;
  seq: number;
  digest: string;
  sync: SyncKind;
  progress?: { received: number; total: number; percent: number };
  /** How many seqs the node is behind the broker's last seq, by its last acknowledgement (as `brainer_broker_node_lag_seqs`). */
  lag: number;
  /** Time left on the node's read lease by the broker's count, in ms; 0 when it holds none (a joining node never does). */
  leaseMs: number;
  /** Set when the node is ready but its content may miss writes the broker acknowledged. */
  error?: NodeError;
}

/** What only the broker can tell of a node at the time of a `nodes` answer. */
export interface NodeStanding {
  lag: number;
  leaseMs: number;
}

export function toNodeInfo(node: NodeRecord, standing: NodeStanding, error?: NodeError): NodeInfo {
  const info: NodeInfo = {
    id: node.id,
    endpoint: node.endpoint,
    state: node.state,
    keys: node.keys,
    seq: node.seq,
    digest: node.digest,
    sync: node.sync,
    lag: standing.lag,
    leaseMs: standing.leaseMs,
  };
  if (node.state === 'joining') {
    const { received, total } = node.progress;
    info.progress = { received, total, percent: total === 0 ? 0 : Math.min(100, Math.floor((received / total) * 100)) };
  }
  if (error) info.error = error;
  return info;
}
