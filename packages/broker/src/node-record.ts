import type { JoinProgress, NodeError, NodeInfo, NodeState, SyncKind } from '@brainer/protocol';
import type { PeerId } from './ports.js';

/** What the broker knows of one registered node. */
export interface NodeRecord {
  /** The node's connection. */
  readonly peer: PeerId;
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
