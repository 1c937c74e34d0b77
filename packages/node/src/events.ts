import type { NodeState } from '@brainer/protocol';

/** What a node reports on `events$`. */
export type CacheNodeEvent =
  | { type: 'node:registering'; reason: string }
  | { type: 'node:state'; state: NodeState; epoch: number; seq: number }
  | { type: 'join:started'; joinId: number; sourceId: string; minSeq: number }
  | { type: 'join:progress'; joinId: number; received: number; total: number }
  | { type: 'join:completed'; joinId: number; seq: number; keys: number; ms: number }
  | { type: 'join:failed'; joinId: number; reason: string }
  | { type: 'resync'; reason: string };
