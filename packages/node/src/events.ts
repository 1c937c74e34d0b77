import type { CatchUpKind, NodeState } from '@brainer/protocol';

/** What a node reports on `events$`. */
export type CacheNodeEvent =
  | { type: 'node:registering'; reason: string }
  | { type: 'node:state'; state: NodeState; epoch: number; seq: number }
  /** A sync began: `full` from a snapshot of `sourceId`, or `partial` from the broker's backlog after `minSeq`. */
  | { type: 'join:started'; joinId: number; sync: CatchUpKind; sourceId: string; minSeq: number }
  /** Told to join with no source ready: it keeps its data at (epoch, seq) and waits for a whole node. */
  | { type: 'join:waiting'; epoch: number; seq: number }
  | { type: 'join:progress'; joinId: number; received: number; total: number }
  | { type: 'join:completed'; joinId: number; sync: CatchUpKind; seq: number; keys: number; ms: number }
  | { type: 'join:failed'; joinId: number; reason: string }
  | { type: 'resync'; reason: string }
  /** A message of `epoch`, below the `accepted` one, came from a deposed broker: refused with ERR_STALE_EPOCH. */
  | { type: 'epoch:refused'; messageType: string; epoch: number; accepted: number }
  /**
   * The node leaves the cluster for good: its storage engine could not persist what was applied
   * (`ERR_STORAGE`; it acknowledged none of it), or the broker refused it because a live node
   * holds its id (`ERR_NODE_ID_TAKEN`).
   */
  | { type: 'node:failed'; code: 'ERR_STORAGE' | 'ERR_NODE_ID_TAKEN'; reason: string };
