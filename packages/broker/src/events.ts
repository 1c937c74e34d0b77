/** What a broker reports on `events$`. */
export type BrokerEvent =
  | { type: 'node:joining'; nodeId: string; endpoint: string; sourceId: string; joinId: number }
  /** A node catches up from the backlog instead of a snapshot: the writes after `fromSeq`, up to `seq`. */
  | { type: 'node:resyncing'; nodeId: string; endpoint: string; joinId: number; fromSeq: number; seq: number }
  | { type: 'node:ready'; nodeId: string; endpoint: string; seq: number }
  | { type: 'node:lost'; nodeId: string; reason: string }
  | { type: 'join:failed'; nodeId: string; joinId: number; reason: string }
  | { type: 'epoch:started'; epoch: number; seq: number }
  /** One eviction round: `keys` deleted to free `bytes`, with the highest used memory before it. */
  | { type: 'memory:evicted'; keys: number; bytes: number; usedMemory: number };
